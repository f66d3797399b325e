using MeshInABox.Domain.Contracts;
using MeshInABox.Lineage;
using MeshInABox.Lineage.Catalog;
using MeshInABox.Registry.Products;
using MeshInABox.Registry.Publishing;

namespace MeshInABox.Registry.ProductLineage;

/// <summary>A column of a version's output, as its contract describes it: the catalog's schema table and the lineage binder's stub tables.</summary>
public sealed record DesignColumn(
    string Output, int Position, string Name, string? LogicalType, string? PhysicalType, bool Required, bool PrimaryKey, string? Classification, string? Description);

/// <summary>An output of a product's current version, with its columns: one stub table of the catalog the lineage binder binds against.</summary>
public sealed record CatalogTable(string ProductId, string Domain, string Output, IReadOnlyList<(string Name, string? LogicalType)> Columns)
{
    /// <summary>The output's name in SQL (<c>domain.product_slug.output</c>), as the lakehouse's query endpoint names it.</summary>
    public string SqlName => LineageCatalog.TableName(Domain, DesignLineage.Slug(ProductId, Domain), Output);
}

/// <summary>
/// A version's design-time lineage: its outputs' columns from the contract, and what each output's SQL computes from,
/// bound by DuckDB against the current versions of every registered product. A syntax error (or SQL refused outright)
/// rejects the version; a table the catalog does not know yet (a product registered later) leaves the output's
/// lineage undetermined with the reason, and it is bound again when that product is published.
/// </summary>
public sealed record DesignLineage(IReadOnlyList<DesignColumn> Columns, IReadOnlyList<OutputLineage> Outputs, IReadOnlyList<RejectionReason> Reasons)
{
    public static DesignLineage Empty { get; } = new([], [], []);

    /// <summary>A product's name in SQL without its domain: <c>subscriptions.monthly-revenue</c> -> <c>monthly-revenue</c>.</summary>
    public static string Slug(string productId, string domain) =>
        productId.StartsWith(domain + ".", StringComparison.Ordinal) ? productId[(domain.Length + 1)..] : productId;

    public static IReadOnlyList<DesignColumn> ColumnsOf(IReadOnlyList<RegisteredOutput> outputs, DataContract contract) =>
    [
        .. outputs.SelectMany(output => (contract.ObjectFor(output.Name)?.Properties ?? []).Select((p, i) => new DesignColumn(
            output.Name, i, p.Name, p.LogicalType?.ToString().ToLowerInvariant(), p.PhysicalType, p.Required, p.PrimaryKey, p.Classification, p.Description))),
    ];

    /// <param name="catalog">The current versions' outputs of every product; this product's own are replaced by this version's.</param>
    public static DesignLineage Analyze(RegisteredProduct product, IReadOnlyList<RegisteredOutput> outputs, DataContract contract, IReadOnlyList<CatalogTable> catalog)
    {
        var columns = ColumnsOf(outputs, contract);
        var own = columns.GroupBy(c => c.Output).Select(g => new CatalogTable(product.Id, product.Domain, g.Key, [.. g.Select(c => (c.Name, c.LogicalType))]));
        var tables = catalog.Where(t => t.ProductId != product.Id).Concat(own).ToList();
        var withSql = outputs.Where(o => !string.IsNullOrWhiteSpace(o.Sql)).ToList();
        if (withSql.Count == 0)
        {
            return new DesignLineage(columns, [], []);
        }

        var bySqlName = new Dictionary<string, CatalogTable>(StringComparer.OrdinalIgnoreCase);
        var lineageCatalog = new LineageCatalog(product.Domain);
        foreach (var table in tables)
        {
            // Two products whose names differ only by '-' and '_' would share a SQL name; the first registered keeps it.
            if (bySqlName.TryAdd(table.SqlName, table))
            {
                lineageCatalog.Add(table.SqlName, table.Columns.Select(c => new CatalogColumn(c.Name, LineageCatalog.SqlType(ParseLogicalType(c.LogicalType)))));
            }
        }

        var results = new List<OutputLineage>();
        var reasons = new List<RejectionReason>();
        using var analyzer = new LineageAnalyzer(lineageCatalog);
        foreach (var output in withSql)
        {
            var result = analyzer.Analyze(output.Sql!);
            if (result.Error is { Kind: LineageErrorKind.Syntax or LineageErrorKind.Refused } error)
            {
                var (line, column) = error.Position is { } position ? SqlPosition.LineAndColumn(output.Sql!, position) : ((int?)null, (int?)null);
                reasons.Add(new RejectionReason("lineage", "sql-invalid", $"Output '{output.Name}': {error.Message}",
                    $"Fix the SQL{(output.Transform is null ? "" : $" in {output.Transform}")}; 'mesh lineage' shows what the registry will read from it.", line, column));
            }

            results.Add(ToOutputLineage(output.Name, result, bySqlName));
        }

        return new DesignLineage(columns, results, reasons);
    }

    private static OutputLineage ToOutputLineage(string output, LineageResult result, IReadOnlyDictionary<string, CatalogTable> bySqlName)
    {
        var sources = result.Sources.Select(s => Upstream(s, bySqlName)).ToList();
        var edges = new List<ColumnSource>();
        foreach (var (column, columnEdges) in result.Columns)
        {
            edges.AddRange(columnEdges.Select(e => Edge(column, e, sources)));
        }

        edges.AddRange(result.Dataset.Select(e => Edge(null, e, sources)));
        return new OutputLineage(
            output, sources, [.. edges.DistinctBy(e => (e.Column, e.Source.Table, e.SourceColumn, e.Subtype))], result.Undetermined, result.Error?.Message,
            result.Error?.Kind.ToString().ToLowerInvariant());
    }

    private static UpstreamTable Upstream(string table, IReadOnlyDictionary<string, CatalogTable> bySqlName) =>
        bySqlName.TryGetValue(table, out var known) ? new UpstreamTable(table, known.ProductId, known.Output) : new UpstreamTable(table, null, null);

    /// <summary>An edge's source is <c>table.column</c>; the table is one of the statement's sources (the longest that prefixes it), so dots in names do not mislead.</summary>
    private static ColumnSource Edge(string? column, LineageEdge edge, IReadOnlyList<UpstreamTable> sources)
    {
        var table = sources.Where(s => edge.Source.StartsWith(s.Table + ".", StringComparison.Ordinal)).MaxBy(s => s.Table.Length);
        var (upstream, sourceColumn) = table is not null
            ? (table, edge.Source[(table.Table.Length + 1)..])
            : (new UpstreamTable(edge.Source[..Math.Max(0, edge.Source.LastIndexOf('.'))], null, null), edge.Source[(edge.Source.LastIndexOf('.') + 1)..]);
        return new ColumnSource(column, upstream, sourceColumn, edge.Type == EdgeType.Direct ? "DIRECT" : "INDIRECT", LineageJson.Subtype(edge.Subtype));
    }

    private static LogicalType? ParseLogicalType(string? name) => Enum.TryParse<LogicalType>(name, ignoreCase: true, out var type) ? type : null;
}
