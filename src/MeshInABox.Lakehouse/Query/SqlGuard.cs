using System.Globalization;
using System.Text.Json;
using DuckDB.NET.Data;
using MeshInABox.Iceberg.Scanning;

namespace MeshInABox.Lakehouse.Query;

/// <summary>A data product table named in a query: <c>domain.product.table</c> and where it was written.</summary>
public sealed record ProductReference(string Domain, string Product, string Table, int Position)
{
    public override string ToString() => $"{Domain}.{Product}.{Table}";
}

/// <summary>Why a query is refused, with the position in the SQL when there is one.</summary>
public sealed class QueryRejectedException(string message, int? position = null, bool forbidden = false, bool unknown = false) : Exception(message)
{
    public int? Position { get; } = position;

    /// <summary>True when the SQL is valid but not allowed (403 rather than 400).</summary>
    public bool Forbidden { get; } = forbidden;

    /// <summary>True when a named product does not exist (404).</summary>
    public bool Unknown { get; } = unknown;
}

/// <summary>
/// The first line of the sandbox: DuckDB's own parser (<c>json_serialize_sql</c>)
/// decides what the statement is. Only one SELECT passes; table functions
/// (read_csv, read_text, read_parquet...) are refused, so data is reached only
/// through products named <c>domain.product.table</c>. DuckDB's file-system lock
/// behind it is the second line.
/// </summary>
public static class SqlGuard
{
    public static IReadOnlyList<ProductReference> Check(DuckDBConnection duck, string sql)
    {
        if (string.IsNullOrWhiteSpace(sql))
        {
            throw new QueryRejectedException("The query is empty.");
        }

        using var command = duck.CreateCommand();
        command.CommandText = $"SELECT json_serialize_sql({DuckDbScan.Literal(sql)})";
        using var document = JsonDocument.Parse((string)command.ExecuteScalar()!);
        var root = document.RootElement;
        if (root.GetProperty("error").GetBoolean())
        {
            var type = root.GetProperty("error_type").GetString();
            var message = root.GetProperty("error_message").GetString();
            if (type == "not implemented")
            {
                throw new QueryRejectedException("Only SELECT queries are allowed: no DDL, DML, COPY, ATTACH, INSTALL, LOAD, SET or PRAGMA.", forbidden: true);
            }

            int? position = root.TryGetProperty("position", out var p) && int.TryParse(p.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var at) ? at : null;
            throw new QueryRejectedException($"SQL {type} error: {message}{(position is null ? "" : $" (at character {position + 1})")}", position);
        }

        var statements = root.GetProperty("statements");
        if (statements.GetArrayLength() != 1)
        {
            throw new QueryRejectedException($"Send one statement per query, not {statements.GetArrayLength()}.");
        }

        var ctes = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var references = new List<ProductReference>();
        Walk(statements[0], ctes, references);
        return [.. references.Where(r => !(r.Domain.Length == 0 && r.Product.Length == 0 && ctes.Contains(r.Table)))
            .Select(r => r.Domain.Length == 0 || r.Product.Length == 0
                ? throw new QueryRejectedException($"'{Name(r)}' is not a data product: name tables as domain.product.table, e.g. content.catalogue.titles.", r.Position)
                : r)
            .DistinctBy(r => r.ToString())];
    }

    private static string Name(ProductReference r) => string.Join('.', new[] { r.Domain, r.Product, r.Table }.Where(p => p.Length > 0));

    private static void Walk(JsonElement node, HashSet<string> ctes, List<ProductReference> references)
    {
        switch (node.ValueKind)
        {
            case JsonValueKind.Object:
                if (node.TryGetProperty("cte_map", out var map) && map.TryGetProperty("map", out var entries))
                {
                    foreach (var entry in entries.EnumerateArray())
                    {
                        ctes.Add(entry.GetProperty("key").GetString()!);
                    }
                }

                var type = node.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                var position = node.TryGetProperty("query_location", out var l) && l.TryGetInt64(out var location) && location < int.MaxValue ? (int)location : 0;
                if (type == "TABLE_FUNCTION")
                {
                    var name = node.GetProperty("function").GetProperty("function_name").GetString();
                    throw new QueryRejectedException(
                        $"Table function '{name}' is not allowed: query data products by name (domain.product.table), not files or settings.", position, forbidden: true);
                }

                if (type == "BASE_TABLE")
                {
                    references.Add(new ProductReference(
                        node.GetProperty("catalog_name").GetString() ?? "", node.GetProperty("schema_name").GetString() ?? "",
                        node.GetProperty("table_name").GetString() ?? "", position));
                }

                foreach (var property in node.EnumerateObject())
                {
                    Walk(property.Value, ctes, references);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in node.EnumerateArray())
                {
                    Walk(item, ctes, references);
                }

                break;
        }
    }
}
