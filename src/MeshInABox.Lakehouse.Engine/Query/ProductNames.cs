using System.Collections.Immutable;
using System.Text.Json;
using MeshInABox.Domain.Naming;

namespace MeshInABox.Lakehouse.Engine.Query;

/// <summary>
/// The one resolver for table names in SQL: <c>domain.product.table</c> is three identifiers, each by the
/// registry's rules (<see cref="MeshNames"/>), with hyphens written as underscores if the writer likes
/// (<c>content.viewing_sessions.sessions</c> and <c>content."viewing-sessions".sessions</c> name the same product).
/// Anything else (paths, separators, <c>..</c>, quotes smuggling a path, control characters) is refused here,
/// before any view exists or any directory is named after it.
/// </summary>
public static class ProductNames
{
    /// <summary>The product table a <c>BASE_TABLE</c> node names, or null when it is a CTE in scope.</summary>
    /// <exception cref="QueryRejectedException">The name is not a product table's name.</exception>
    internal static ProductReference? Reference(JsonElement node, ImmutableHashSet<string> ctes, int position, Func<JsonElement, int, TableVersion> version)
    {
        var catalog = node.GetProperty("catalog_name").GetString() ?? "";
        var schema = node.GetProperty("schema_name").GetString() ?? "";
        var table = node.GetProperty("table_name").GetString() ?? "";
        if (catalog.Length == 0 && schema.Length == 0 && ctes.Contains(table))
        {
            return null;
        }

        var at = node.TryGetProperty("at_clause", out var clause) && clause.ValueKind == JsonValueKind.Object ? version(clause, position) : null;
        return Parse(catalog, schema, table, position, at);
    }

    /// <summary>A product table's name from its three parts as SQL wrote them.</summary>
    /// <exception cref="QueryRejectedException">The name is not a product table's name.</exception>
    public static ProductReference Parse(string domain, string product, string table, int position = 0, TableVersion? at = null)
    {
        var written = MeshNames.Quote(string.Join('.', new[] { domain, product, table }.Where(p => p.Length > 0)));
        if (domain.Length == 0 || product.Length == 0)
        {
            throw new QueryRejectedException(
                $"{written} is not a data product: name tables as domain.product.table, e.g. content.catalogue.titles (a WITH query's name is usable only inside its WITH).",
                position);
        }

        var rule = MeshNames.Domain(ProductReference.Canonical(domain))
            ?? MeshNames.ProductSlug(ProductReference.Canonical(product))
            ?? MeshNames.Output(table.ToLowerInvariant());
        if (rule is not null)
        {
            throw new QueryRejectedException(
                $"{written} is not a data product table's name: each of domain.product.table is an identifier " +
                $"(hyphens may be written as underscores), never a path. {rule}",
                position);
        }

        return new ProductReference(domain, product, table, position, at);
    }

    /// <summary>Whether an output as the registry lists it is the one a query's name means.</summary>
    public static bool Names(ProductReference reference, string output) =>
        string.Equals(output, reference.Output, StringComparison.Ordinal)
        || string.Equals(output.Replace('-', '_'), reference.Output.Replace('-', '_'), StringComparison.Ordinal);
}
