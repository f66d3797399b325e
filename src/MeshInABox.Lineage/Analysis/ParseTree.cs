using System.Collections.Immutable;
using System.Text.Json;

namespace MeshInABox.Lineage.Analysis;

/// <summary>
/// What DuckDB's parse tree of a SELECT (<c>json_serialize_sql</c>) tells when the plan cannot: the tables and files
/// named (as written: nothing was bound), and how deep queries nest.
/// </summary>
internal static class ParseTree
{
    /// <summary>The table functions that read files, whose first argument is the path (or a list of paths).</summary>
    private static readonly HashSet<string> FileReaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "read_parquet", "parquet_scan", "read_csv", "read_csv_auto", "sniff_csv", "read_json", "read_json_auto",
        "read_json_objects", "read_ndjson", "read_ndjson_auto", "read_ndjson_objects", "read_text", "read_blob",
        "read_xlsx", "delta_scan", "iceberg_scan",
    };

    /// <summary>How deep query nodes (subqueries, WITH queries, set operations) nest.</summary>
    public static int QueryNesting(JsonElement node) => node.ValueKind switch
    {
        JsonValueKind.Object => node.EnumerateObject().Select(p => QueryNesting(p.Value)).DefaultIfEmpty(0).Max()
            + (node.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
                && t.GetString() is "SELECT_NODE" or "SET_OPERATION_NODE" or "RECURSIVE_CTE_NODE" or "CTE_NODE" ? 1 : 0),
        JsonValueKind.Array => node.EnumerateArray().Select(QueryNesting).DefaultIfEmpty(0).Max(),
        _ => 0,
    };

    /// <summary>
    /// The tables (lower-cased as written) and files (<c>file:path</c>) a statement names, with the CTE names in scope
    /// at each node left out; a file argument that is not a literal is a reason instead.
    /// </summary>
    public static (SortedSet<string> Sources, List<string> Unknown) Sources(JsonElement statement)
    {
        var sources = new SortedSet<string>(StringComparer.Ordinal);
        var unknown = new List<string>();
        Walk(statement, ImmutableHashSet.Create<string>(StringComparer.OrdinalIgnoreCase), sources, unknown);
        return (sources, unknown);
    }

    private static void Walk(JsonElement node, ImmutableHashSet<string> ctes, SortedSet<string> sources, List<string> unknown)
    {
        if (node.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in node.EnumerateArray())
            {
                Walk(item, ctes, sources, unknown);
            }

            return;
        }

        if (node.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        // A query's WITH names are visible in its body; each WITH query sees those defined before it.
        if (node.TryGetProperty("cte_map", out var map) && map.TryGetProperty("map", out var entries))
        {
            foreach (var entry in entries.EnumerateArray())
            {
                Walk(entry.GetProperty("value"), ctes, sources, unknown);
                ctes = ctes.Add(entry.GetProperty("key").GetString()!);
            }
        }

        if (node.TryGetProperty("cte_name", out var self) && self.ValueKind == JsonValueKind.String)
        {
            ctes = ctes.Add(self.GetString()!);
        }

        var type = node.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        if (type == "BASE_TABLE")
        {
            var parts = new[] { "catalog_name", "schema_name", "table_name" }
                .Select(p => node.TryGetProperty(p, out var v) ? v.GetString() ?? "" : "")
                .Where(p => p.Length > 0).ToList();
            if (!(parts.Count == 1 && ctes.Contains(parts[0])))
            {
                sources.Add(string.Join('.', parts).ToLowerInvariant());
            }
        }
        else if (type == "TABLE_FUNCTION" && node.GetProperty("function") is var function
            && function.TryGetProperty("function_name", out var name) && FileReaders.Contains(name.GetString()!))
        {
            var paths = Items(function, "children").Take(1).SelectMany(Literals).ToList();
            if (paths.Count == 0)
            {
                unknown.Add($"{name.GetString()} reads a file whose path is not a literal.");
            }

            foreach (var path in paths)
            {
                sources.Add($"file:{path}");
            }
        }

        foreach (var property in node.EnumerateObject())
        {
            if (!property.NameEquals("cte_map"))
            {
                Walk(property.Value, ctes, sources, unknown);
            }
        }
    }

    /// <summary>The table name (lower-cased, as written) of the <c>BASE_TABLE</c> at a position in the SQL, if any.</summary>
    public static string? TableAt(JsonElement node, int position)
    {
        switch (node.ValueKind)
        {
            case JsonValueKind.Object:
                if (node.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "BASE_TABLE"
                    && node.TryGetProperty("query_location", out var l) && l.TryGetInt64(out var location) && location == position)
                {
                    return string.Join('.', new[] { "catalog_name", "schema_name", "table_name" }
                        .Select(p => node.TryGetProperty(p, out var v) ? v.GetString() ?? "" : "").Where(p => p.Length > 0)).ToLowerInvariant();
                }

                return node.EnumerateObject().Select(p => TableAt(p.Value, position)).FirstOrDefault(n => n is not null);
            case JsonValueKind.Array:
                return node.EnumerateArray().Select(i => TableAt(i, position)).FirstOrDefault(n => n is not null);
            default:
                return null;
        }
    }

    private static IEnumerable<JsonElement> Items(JsonElement node, string property) =>
        node.TryGetProperty(property, out var items) && items.ValueKind == JsonValueKind.Array ? items.EnumerateArray() : [];

    /// <summary>A path argument's literal values: one string, or a list of strings (<c>['a', 'b']</c>).</summary>
    private static IEnumerable<string> Literals(JsonElement argument)
    {
        var type = argument.TryGetProperty("type", out var t) ? t.GetString() : null;
        if (type == "VALUE_CONSTANT" && argument.GetProperty("value") is var value
            && !value.GetProperty("is_null").GetBoolean() && value.GetProperty("value").ValueKind == JsonValueKind.String)
        {
            return [value.GetProperty("value").GetString()!];
        }

        if (type == "FUNCTION" && argument.GetProperty("function_name").GetString() == "list_value")
        {
            var items = Items(argument, "children").Select(Literals).ToList();
            return items.All(i => i.Any()) ? items.SelectMany(i => i) : [];
        }

        return [];
    }
}
