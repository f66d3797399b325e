using MeshInABox.Registry.ProductLineage;

namespace MeshInABox.Registry.DataHub;

/// <summary>The design-time lineage of a product's current outputs, as the DataHub feed maps it.</summary>
public interface IOutputLineageReader
{
    Task<IReadOnlyList<OutputLineage>> CurrentOutputsAsync(string productId, CancellationToken ct);
}
