using MeshInABox.Domain.Contracts;
using MeshInABox.Domain.Products;
using MeshInABox.Domain.Streams;

namespace MeshInABox.Domain.Governance;

/// <summary>Everything the policies look at for one product, already read by the caller.</summary>
public sealed record ProductReview(DataProductManifest Manifest, IReadOnlyList<OutputReview> Outputs);

/// <summary>An output with what its references resolved to; a Problem says why one could not be read.</summary>
public sealed record OutputReview(
    ProductOutput Output,
    ContractReader.Result? Contract,
    string? ContractProblem,
    AsyncApiDocument.Result? Stream,
    string? StreamProblem,
    DataFile? Data,
    string? DataProblem,
    string? TransformProblem);

/// <summary>A data file the policies may read, opened only when a policy needs it.</summary>
public sealed record DataFile(string DisplayPath, Func<TextReader> Open);

/// <summary>A check that a product meets one rule of the mesh's governance.</summary>
public interface IProductPolicy
{
    PolicyInfo Info { get; }

    IEnumerable<Violation> Evaluate(ProductReview review);
}
