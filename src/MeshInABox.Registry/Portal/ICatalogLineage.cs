using MeshInABox.Registry.ProductLineage;

namespace MeshInABox.Registry.Portal;

/// <summary>The lineage answers the portal draws; null from any of them means the product is unknown.</summary>
public interface ICatalogLineage
{
    Task<LineageGraph?> GraphAsync(string productId, LineageDirection direction, int depth, CancellationToken ct);

    Task<ColumnLineage?> ColumnAsync(string productId, string output, string column, LineageDirection direction, int depth, CancellationToken ct);

    Task<IReadOnlyList<ImpactedProduct>?> ImpactAsync(string productId, CancellationToken ct);
}
