using MeshInABox.Domain.Documents;
using MeshInABox.Domain.Governance;
using MeshInABox.Domain.Products;
using MeshInABox.Lineage;
using MeshInABox.Lineage.Catalog;

namespace MeshInABox.MeshRepository;

/// <summary>One output's transform and its lineage, as <c>mesh validate --format json</c> shows it.</summary>
/// <param name="File">The SQL file, relative to the repository.</param>
public sealed record OutputLineage(string Product, string Output, string File, LineageResult Result);

/// <summary>
/// The lineage step of validation: the catalog is read once from the repository's contracts, and each product's
/// transforms are bound with the product's domain as the default, so <c>plans.plans</c> means the same in SQL as
/// in the lakehouse. The policies then judge what was found (<see cref="TransformLineage"/>).
/// </summary>
internal sealed class TransformAnalysis(string root) : IDisposable
{
    private readonly Dictionary<string, LineageAnalyzer> _analyzers = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<OutputLineage> _results = [];
    private (LineageCatalog Catalog, IReadOnlyDictionary<string, MeshRepositoryCatalog.TableOwner> Owners)? _catalog;

    public IReadOnlyList<OutputLineage> Results => _results;

    /// <returns>A problem for the existing csv-present rule (the file is missing), or the lineage for the transform policies.</returns>
    public (string? Problem, TransformLineage? Lineage) Analyze(DataProductManifest manifest, string directory, ProductOutput output, string transform)
    {
        var display = Path.GetRelativePath(root, Path.GetFullPath(Path.Combine(directory, transform)));
        var (sql, refusal, missing) = TransformFile.Read(directory, transform);
        if (missing)
        {
            return (refusal, null);
        }

        if (sql is null)
        {
            return (null, new TransformLineage(display, [], null, new TransformError(refusal!, output.At)));
        }

        var (catalog, owners) = _catalog ??= Catalog();
        if (!_analyzers.TryGetValue(manifest.Domain, out var analyzer))
        {
            analyzer = new LineageAnalyzer(catalog.WithDefaultDomain(manifest.Domain));
            _analyzers[manifest.Domain] = analyzer;
        }

        var result = analyzer.Analyze(sql);
        _results.Add(new OutputLineage(manifest.Id, output.Name, display, result));
        if (result.Error is { } error)
        {
            var at = error.Position is { } position ? TransformFile.LocationOf(display, sql, position) : SourceLocation.StartOf(display);
            return (null, new TransformLineage(display, [], null, new TransformError(error.Message, at)));
        }

        var sources = result.Sources.Select(source => owners.TryGetValue(source, out var owner)
            ? new TransformSource(source, owner.Product, owner.Output, TransformFile.LocationOfName(display, sql, source))
            : new TransformSource(source, null, null, TransformFile.LocationOfName(display, sql, source)));
        return (null, new TransformLineage(display, [.. sources], result.Undetermined, null));
    }

    private (LineageCatalog, IReadOnlyDictionary<string, MeshRepositoryCatalog.TableOwner>) Catalog()
    {
        // Contracts that cannot be read are reported by the contract policies; their tables are simply unknown here.
        var (catalog, _, owners) = MeshRepositoryCatalog.ReadWithOwners(root, null);
        return (catalog, owners);
    }

    public void Dispose()
    {
        foreach (var analyzer in _analyzers.Values)
        {
            analyzer.Dispose();
        }
    }
}
