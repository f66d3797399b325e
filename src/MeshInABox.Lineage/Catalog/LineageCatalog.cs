using MeshInABox.Domain.Contracts;

namespace MeshInABox.Lineage.Catalog;

/// <summary>A column of a known table: its name and the DuckDB type its stub is created with.</summary>
public sealed record CatalogColumn(string Name, string SqlType);

/// <summary>
/// The tables a statement may read or write, by qualified name (<c>domain.product.table</c>,
/// <c>schema.table</c> or <c>table</c>), and the schema unqualified names resolve against.
/// </summary>
public sealed class LineageCatalog
{
    private readonly Dictionary<string, IReadOnlyList<CatalogColumn>> _tables = new(StringComparer.OrdinalIgnoreCase);

    public LineageCatalog(string? defaultDomain = null) => DefaultDomain = defaultDomain?.ToLowerInvariant().Replace('-', '_');

    /// <summary>The domain (a catalog of products) that <c>product.table</c> and <c>table</c> resolve against first.</summary>
    public string? DefaultDomain { get; }

    public IReadOnlyDictionary<string, IReadOnlyList<CatalogColumn>> Tables => _tables;

    /// <summary>Adds (or replaces) one table; its name is split on dots, each part an identifier.</summary>
    public LineageCatalog Add(string qualifiedName, IEnumerable<CatalogColumn> columns)
    {
        var parts = qualifiedName.Split('.');
        if (parts.Length is < 1 or > 3 || parts.Any(p => p.Length == 0))
        {
            throw new ArgumentException($"'{qualifiedName}' is not a table name: one to three dot-separated identifiers.", nameof(qualifiedName));
        }

        _tables[qualifiedName.ToLowerInvariant()] = [.. columns];
        return this;
    }

    /// <summary>The same tables resolved from another domain: one catalog read serves every domain's statements.</summary>
    public LineageCatalog WithDefaultDomain(string? defaultDomain)
    {
        var catalog = new LineageCatalog(defaultDomain);
        foreach (var (name, columns) in _tables)
        {
            catalog._tables[name] = columns;
        }

        return catalog;
    }

    public LineageCatalog Add(string qualifiedName, params string[] columns) =>
        Add(qualifiedName, columns.Select(c => new CatalogColumn(c, "VARCHAR")));

    /// <summary>Adds every schema object of a product's contract as <c>domain.product_with_underscores.object</c>, as the lakehouse names it.</summary>
    public LineageCatalog AddContract(string domain, string productSlug, DataContract contract)
    {
        foreach (var table in contract.Schema)
        {
            Add(TableName(domain, productSlug, table.Name), table.Properties.Select(p => new CatalogColumn(p.Name, SqlType(p))));
        }

        return this;
    }

    /// <summary>A product table's name in SQL: hyphens become underscores, as the lakehouse's names are written unquoted.</summary>
    public static string TableName(string domain, string productSlug, string table) =>
        string.Join('.', new[] { domain, productSlug, table }.Select(p => p.ToLowerInvariant().Replace('-', '_')));

    /// <summary>The DuckDB type a contract column's stub gets; only binding needs it, so the logical type is enough.</summary>
    public static string SqlType(SchemaProperty property) => SqlType(property.LogicalType);

    /// <inheritdoc cref="SqlType(SchemaProperty)"/>
    public static string SqlType(LogicalType? logicalType) => logicalType switch
    {
        LogicalType.Integer => "BIGINT",
        LogicalType.Number => "DOUBLE",
        LogicalType.Boolean => "BOOLEAN",
        LogicalType.Date => "DATE",
        LogicalType.Timestamp => "TIMESTAMPTZ",
        LogicalType.Time => "TIME",
        LogicalType.Object or LogicalType.Array => "JSON",
        _ => "VARCHAR",
    };
}
