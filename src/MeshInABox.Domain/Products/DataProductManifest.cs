using MeshInABox.Domain.Documents;

namespace MeshInABox.Domain.Products;

/// <summary>
/// A data product's registration: who owns it, what it is, and what it
/// publishes. Read from <c>dataproduct.json</c> (or YAML) in a mesh repo, or
/// from a registration request.
/// </summary>
public sealed record DataProductManifest(
    string Id,
    string Name,
    string Domain,
    string Owner,
    string Description,
    string? BusinessUnit,
    IReadOnlyList<string> Tags,
    Classification? Classification,
    ProductStatus Status,
    IReadOnlyList<ProductOutput> Outputs,
    IReadOnlyList<ProductInput> Inputs,
    SourceLocation Location,
    IReadOnlyDictionary<string, SourceLocation> FieldLocations)
{
    /// <summary>Where a top-level field was written, or the manifest's start when absent.</summary>
    public SourceLocation LocationOf(string field) => FieldLocations.GetValueOrDefault(field, Location);
}

/// <summary>One published output (a table, file or topic) and its contract.</summary>
/// <param name="Location">Data file (CSV), relative to the product folder.</param>
/// <param name="StorageTemplate">Template the storage plane provisions from (postgres, lakehouse, kafka).</param>
/// <param name="Contract">ODCS contract file, relative to the product folder.</param>
/// <param name="StreamContract">AsyncAPI document for kafka outputs.</param>
/// <param name="Transform">SQL that derives this output from the product's inputs.</param>
/// <param name="Source">Data to load into provisioned storage (may be generated, see <c>mesh samples generate</c>).</param>
/// <param name="Storage">The <c>storage</c> object: template and parameters (only such outputs are provisioned).</param>
public sealed record ProductOutput(
    string Name,
    OutputKind Kind,
    string? Location,
    string? StorageTemplate,
    string? Contract,
    string? StreamContract,
    string? Transform,
    string? Source,
    SourceLocation At,
    OutputStorage? Storage = null);

/// <summary>A product this one reads from.</summary>
public sealed record ProductInput(string Product, string? Output, SourceLocation At);
