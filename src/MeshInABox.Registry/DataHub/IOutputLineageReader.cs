using MeshInABox.Registry.ProductLineage;

namespace MeshInABox.Registry.DataHub;

/// <summary>The design-time lineage of a product's current outputs, as the DataHub feed maps it.</summary>
public interface IOutputLineageReader
{
    Task<IReadOnlyList<OutputLineage>> CurrentOutputsAsync(string productId, CancellationToken ct);
}

/// <summary>No design-time lineage: used until the product lineage store is registered; outputs go without upstreams.</summary>
public sealed class NoOutputLineage : IOutputLineageReader
{
    public Task<IReadOnlyList<OutputLineage>> CurrentOutputsAsync(string productId, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<OutputLineage>>([]);
}
