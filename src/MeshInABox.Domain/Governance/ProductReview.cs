using MeshInABox.Domain.Contracts;
using MeshInABox.Domain.Documents;
using MeshInABox.Domain.Products;
using MeshInABox.Domain.Streams;

namespace MeshInABox.Domain.Governance;

/// <summary>Everything the policies look at for one product, already read by the caller.</summary>
public sealed record ProductReview(DataProductManifest Manifest, IReadOnlyList<OutputReview> Outputs);

/// <summary>An output with what its references resolved to; a Problem says why one could not be read.</summary>
/// <param name="Lineage">What the output's transform SQL reads, as the caller's lineage analysis found; null when it has no transform or none was analysed.</param>
public sealed record OutputReview(
    ProductOutput Output,
    ContractReader.Result? Contract,
    string? ContractProblem,
    AsyncApiDocument.Result? Stream,
    string? StreamProblem,
    DataFile? Data,
    string? DataProblem,
    string? TransformProblem,
    TransformLineage? Lineage = null);

/// <summary>
/// The lineage of an output's transform, as the policies need it (the policies do not parse SQL): the tables it
/// reads, why part of it is unknown, or why it has none at all (the SQL does not parse or bind, or was not read).
/// </summary>
public sealed record TransformLineage(string File, IReadOnlyList<TransformSource> Sources, string? Undetermined, TransformError? Error)
{
    /// <summary>Lineage complete: every table the SQL reads is known.</summary>
    public bool Determined => Error is null && Undetermined is null;
}

/// <summary>A table a transform reads, and the product output it is (null when it is no product's).</summary>
public sealed record TransformSource(string Table, string? Product, string? Output, SourceLocation At);

/// <summary>Why a transform has no lineage, where in its SQL (or in the manifest, for a file that is refused).</summary>
public sealed record TransformError(string Message, SourceLocation At);

/// <summary>A data file the policies may read, opened only when a policy needs it.</summary>
public sealed record DataFile(string DisplayPath, Func<TextReader> Open);

/// <summary>A check that a product meets one rule of the mesh's governance.</summary>
public interface IProductPolicy
{
    PolicyInfo Info { get; }

    IEnumerable<Violation> Evaluate(ProductReview review);
}
