using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;
using MeshInABox.Iceberg.Scanning;

namespace MeshInABox.Lakehouse.Query;

/// <summary>A data product table named in a query: <c>domain.product.table</c>, where it was written, and the version asked for.</summary>
public sealed record ProductReference(string Domain, string Product, string Table, int Position, TableVersion? At = null)
{
    /// <summary>The table's name in the query's database: the current data, or one version of it (<c>table@v123</c>).</summary>
    public string ViewName => At is null ? Table : $"{Table}@{At}";

    /// <summary>Tells references apart, versions included.</summary>
    public string Key => $"{Domain}.{Product}.{ViewName}";

    public override string ToString() => $"{Domain}.{Product}.{Table}";
}

/// <summary>
/// A past version of a lakehouse table, as DuckDB's time-travel clause asks for it:
/// <c>AT (VERSION =&gt; snapshot-id)</c> or <c>AT (TIMESTAMP =&gt; TIMESTAMPTZ '...')</c>.
/// </summary>
public sealed record TableVersion(long? SnapshotId, DateTimeOffset? AsOf)
{
    public override string ToString() => SnapshotId is { } id
        ? string.Create(CultureInfo.InvariantCulture, $"v{id}")
        : string.Create(CultureInfo.InvariantCulture, $"t{AsOf!.Value.ToUnixTimeMilliseconds()}");
}

/// <summary>A query that passed the guard: its SQL as it will run, and the product tables it reads.</summary>
public sealed record CheckedQuery(string Sql, IReadOnlyList<ProductReference> Products);

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
    public static CheckedQuery Check(DuckDBConnection duck, string sql)
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
        var products = references.Where(r => !(r.Domain.Length == 0 && r.Product.Length == 0 && ctes.Contains(r.Table)))
            .Select(r => r.Domain.Length == 0 || r.Product.Length == 0
                ? throw new QueryRejectedException($"'{Name(r)}' is not a data product: name tables as domain.product.table, e.g. content.catalogue.titles.", r.Position)
                : r)
            .DistinctBy(r => r.Key)
            .ToList();
        return new CheckedQuery(products.Any(p => p.At is not null) ? WithVersionedNames(duck, root) : sql, products);
    }

    /// <summary>
    /// Each <c>table AT (...)</c> becomes a reference to its own view (<c>table@v123</c>), rebuilt into SQL by
    /// DuckDB's own serializer (<c>json_deserialize_sql</c>), so the query runs over exactly the versions asked for.
    /// </summary>
    private static string WithVersionedNames(DuckDBConnection duck, JsonElement parsed)
    {
        var tree = JsonNode.Parse(parsed.GetRawText())!;
        foreach (var table in Nodes(tree).OfType<JsonObject>().Where(n => n["type"]?.GetValue<string>() == "BASE_TABLE" && n["at_clause"] is JsonObject))
        {
            var at = Version(JsonSerializer.SerializeToElement(table["at_clause"]), 0);
            table["table_name"] = $"{table["table_name"]!.GetValue<string>()}@{at}";
            table["at_clause"] = null;
        }

        using var command = duck.CreateCommand();
        command.CommandText = $"SELECT json_deserialize_sql({DuckDbScan.Literal(tree.ToJsonString())})";
        return (string)command.ExecuteScalar()!;
    }

    private static IEnumerable<JsonNode> Nodes(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Nodes(p.Value)).Prepend(o),
        JsonArray a => a.SelectMany(Nodes),
        _ => [],
    };

    /// <summary>The version an <c>AT (...)</c> clause asks for; its value must be a literal.</summary>
    private static TableVersion Version(JsonElement at, int position)
    {
        var unit = at.GetProperty("unit").GetString();
        var expression = at.GetProperty("expr");
        while (expression.GetProperty("type").GetString() == "OPERATOR_CAST")
        {
            expression = expression.GetProperty("child");
        }

        var value = expression.GetProperty("type").GetString() == "VALUE_CONSTANT" ? expression.GetProperty("value") : default;
        var literal = value.ValueKind == JsonValueKind.Object && !value.GetProperty("is_null").GetBoolean() ? value.GetProperty("value") : default;
        switch (unit)
        {
            case "VERSION" when literal.ValueKind == JsonValueKind.Number && literal.TryGetInt64(out var snapshot):
                return new TableVersion(snapshot, null);
            case "VERSION" when literal.ValueKind == JsonValueKind.String && long.TryParse(literal.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var text):
                return new TableVersion(text, null);
            case "TIMESTAMP" when literal.ValueKind == JsonValueKind.String
                && DateTimeOffset.TryParse(literal.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var asOf):
                return new TableVersion(null, asOf);
            default:
                throw new QueryRejectedException(
                    "Time travel takes a literal: AT (VERSION => <snapshot id>) or AT (TIMESTAMP => TIMESTAMPTZ '2026-01-31 12:00:00+00').", position);
        }
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
                    var at = node.TryGetProperty("at_clause", out var clause) && clause.ValueKind == JsonValueKind.Object ? Version(clause, position) : null;
                    references.Add(new ProductReference(
                        node.GetProperty("catalog_name").GetString() ?? "", node.GetProperty("schema_name").GetString() ?? "",
                        node.GetProperty("table_name").GetString() ?? "", position, at));
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
