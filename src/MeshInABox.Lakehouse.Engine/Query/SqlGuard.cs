using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;
using MeshInABox.Domain.Naming;
using MeshInABox.Iceberg.Scanning;

namespace MeshInABox.Lakehouse.Engine.Query;

/// <summary>A data product table named in a query: <c>domain.product.table</c>, where it was written, and the version asked for.</summary>
public sealed record ProductReference(string Domain, string Product, string Table, int Position, TableVersion? At = null)
{
    /// <summary>The product this name means: SQL writes hyphens as underscores, and DuckDB's names are case-insensitive.</summary>
    public string ProductId => MeshNames.ProductIdOf(Canonical(Domain), Canonical(Product));

    /// <summary>The output this name means, as the registry would spell it when it uses underscores.</summary>
    public string Output => Table.ToLowerInvariant();

    internal static string Canonical(string part) => part.ToLowerInvariant().Replace('_', '-');

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
public sealed class QueryRejectedException(
    string message, int? position = null, bool forbidden = false, bool unknown = false, bool unavailable = false) : Exception(message)
{
    public int? Position { get; } = position;

    /// <summary>True when the SQL is valid but not allowed (403 rather than 400).</summary>
    public bool Forbidden { get; } = forbidden;

    /// <summary>True when a named product does not exist (404).</summary>
    public bool Unknown { get; } = unknown;

    /// <summary>True when something the query needs (the registry, PostgreSQL) is down for now (503, worth a retry).</summary>
    public bool Unavailable { get; } = unavailable;
}


/// <summary>
/// The first line of the sandbox: DuckDB's own parser (<c>json_serialize_sql</c>)
/// decides what the statement is. Only one SELECT passes; table functions
/// (read_csv, read_text, read_parquet...), introspection (SHOW, DESCRIBE, SUMMARIZE,
/// duckdb_*, current_setting...) and values larger than a query may manufacture are
/// refused, so data is reached only through products named <c>domain.product.table</c>.
/// DuckDB's file-system lock behind it is the second line.
/// </summary>
public static class SqlGuard
{
    /// <summary>The longest SQL text accepted (characters).</summary>
    public const int MaxSqlLength = 100_000;

    /// <summary>How deep DuckDB's parse tree (as JSON) may nest (about 120 nested function calls).</summary>
    public const int MaxTreeDepth = 256;

    /// <summary>
    /// How deep queries may nest (subqueries, CTE bodies, set operations): DuckDB's planning time grows
    /// exponentially with it, uninterruptibly (22 nested scalar subqueries plan in 0.1 s, 26 in 26 s, 30 in minutes).
    /// </summary>
    public const int MaxQueryNesting = 20;

    public static CheckedQuery Check(DuckDBConnection duck, string sql)
    {
        if (string.IsNullOrWhiteSpace(sql))
        {
            throw new QueryRejectedException("The query is empty.");
        }

        if (sql.Length > MaxSqlLength)
        {
            throw new QueryRejectedException($"The query is {sql.Length:N0} characters long; at most {MaxSqlLength:N0} are accepted.");
        }

        // DuckDB's C API ends a string at a NUL: the parser would check less than what runs.
        if (sql.IndexOf('\0', StringComparison.Ordinal) is var nul and >= 0)
        {
            throw new QueryRejectedException($"The query holds a NUL character (at character {nul + 1}); SQL text may not contain one.", nul);
        }

        using var command = duck.CreateCommand();
        command.CommandText = $"SELECT json_serialize_sql({DuckDbScan.Literal(sql)})";
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse((string)command.ExecuteScalar()!, new JsonDocumentOptions { MaxDepth = MaxTreeDepth });
        }
        catch (JsonException)
        {
            throw new QueryRejectedException($"The query nests too deeply: its parse tree is more than {MaxTreeDepth} levels deep (about 120 nested expressions).");
        }
        catch (DuckDBException error)
        {
            throw new QueryRejectedException($"SQL parser error: {error.Message.Split('\n')[0]}");
        }

        using (document)
        {
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
                var hint = position is { } stop ? HyphenatedNameHint(sql, stop) : null;
                throw new QueryRejectedException($"SQL {type} error: {message}{(position is null ? "" : $" (at character {position + 1})")}{hint}", position);
            }

            var statements = root.GetProperty("statements");
            if (statements.GetArrayLength() != 1)
            {
                throw new QueryRejectedException($"Send one statement per query, not {statements.GetArrayLength()}.");
            }

            var references = new List<ProductReference>();
            Walk(statements[0], ImmutableHashSet.Create<string>(StringComparer.OrdinalIgnoreCase), 0, references);
            var products = references.DistinctBy(r => r.Key).ToList();
            return new CheckedQuery(products.Any(p => p.At is not null) ? WithVersionedNames(duck, root) : sql, products);
        }
    }

    /// <summary>
    /// A hint when the parser stopped at the hyphen of a name like <c>content.viewing-sessions.sessions</c>: unquoted,
    /// SQL reads it as <c>content.viewing</c> minus <c>sessions.sessions</c>. Only the text around DuckDB's error
    /// position is looked at: the hyphen itself, a name character on each side, and the dotted name it lies in.
    /// </summary>
    /// <param name="position">DuckDB's error position, counted in Unicode code points.</param>
    internal static string? HyphenatedNameHint(string sql, int position)
    {
        var at = CharIndex(sql, position);
        if (at <= 0 || at + 1 >= sql.Length || sql[at] != '-' || !IsNameChar(sql[at - 1]) || !IsNameChar(sql[at + 1]))
        {
            return null;
        }

        var start = at;
        while (start > 0 && (IsNameChar(sql[start - 1]) || sql[start - 1] is '.' or '-'))
        {
            start--;
        }

        var end = at;
        while (end < sql.Length && (IsNameChar(sql[end]) || sql[end] is '.' or '-'))
        {
            end++;
        }

        var parts = sql[start..end].Split('.');
        if (parts.Length is < 2 or > 3 || parts.Any(part => part.Length == 0 || part[0] == '-' || part[^1] == '-'))
        {
            return null;
        }

        var quoted = string.Join('.', parts.Select(part => $"\"{part}\""));
        var underscored = string.Join('.', parts.Select(part => part.Replace('-', '_')));
        return $". Product ids with hyphens must be quoted ({quoted}) or written with underscores ({underscored}): unquoted, '-' is a minus sign.";
    }

    private static bool IsNameChar(char c) => char.IsLetterOrDigit(c) || c == '_';

    /// <summary>The UTF-16 index of the code point DuckDB counts to (a character outside the BMP is two chars here, one there).</summary>
    private static int CharIndex(string text, int codePoints)
    {
        var index = 0;
        for (var seen = 0; seen < codePoints && index < text.Length; seen++)
        {
            index += char.IsSurrogatePair(text, index) ? 2 : 1;
        }

        return index;
    }

    /// <summary>
    /// Each <c>table AT (...)</c> becomes a reference to its own view (<c>table@v123</c>), rebuilt into SQL by
    /// DuckDB's own serializer (<c>json_deserialize_sql</c>), so the query runs over exactly the versions asked for.
    /// </summary>
    private static string WithVersionedNames(DuckDBConnection duck, JsonElement parsed)
    {
        var tree = JsonNode.Parse(parsed.GetRawText(), documentOptions: new JsonDocumentOptions { MaxDepth = MaxTreeDepth })!;
        // Collected first: a tree must not change while it is walked.
        var versioned = Nodes(tree).OfType<JsonObject>()
            .Where(n => n["type"] is JsonValue type && type.GetValueKind() == JsonValueKind.String && type.GetValue<string>() == "BASE_TABLE" && n["at_clause"] is JsonObject)
            .ToList();
        foreach (var table in versioned)
        {
            var at = Version(JsonSerializer.SerializeToElement(table["at_clause"]), 0);
            table["table_name"] = $"{table["table_name"]!.GetValue<string>()}@{at}";
            table["at_clause"] = null;
        }

        using var command = duck.CreateCommand();
        command.CommandText = $"SELECT json_deserialize_sql({DuckDbScan.Literal(tree.ToJsonString())})";
        try
        {
            return (string)command.ExecuteScalar()!;
        }
        catch (DuckDBException error)
        {
            throw new QueryRejectedException($"The query's time-travel clauses cannot be rewritten: {error.Message.Split('\n')[0]}");
        }
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

    /// <summary>
    /// Walks the parse tree with the CTE names in scope at each node: a query node's CTEs are visible in its body and
    /// its subqueries; each CTE's own query sees only the CTEs defined before it (and itself when recursive). Any other
    /// table name must be a product: an unqualified name outside every CTE's scope would be DuckDB's replacement scan,
    /// a raw file read.
    /// </summary>
    private static void Walk(JsonElement node, ImmutableHashSet<string> ctes, int queries, List<ProductReference> references)
    {
        switch (node.ValueKind)
        {
            case JsonValueKind.Object:
                var type = node.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                var position = node.TryGetProperty("query_location", out var l) && l.TryGetInt64(out var location) && location < int.MaxValue ? (int)location : 0;
                if (type is "SELECT_NODE" or "SET_OPERATION_NODE" or "RECURSIVE_CTE_NODE" or "CTE_NODE" && ++queries > MaxQueryNesting)
                {
                    throw new QueryRejectedException(
                        $"The query nests queries (subqueries, WITH queries, set operations) more than {MaxQueryNesting} deep; planning that would take DuckDB too long.", position);
                }

                if (node.TryGetProperty("cte_map", out var map) && map.TryGetProperty("map", out var entries) && entries.GetArrayLength() > 0)
                {
                    foreach (var entry in entries.EnumerateArray())
                    {
                        Walk(entry.GetProperty("value"), ctes, queries, references);
                        ctes = ctes.Add(entry.GetProperty("key").GetString()!);
                    }
                }

                if (type == "RECURSIVE_CTE_NODE" && node.TryGetProperty("cte_name", out var self) && self.GetString() is { } name)
                {
                    ctes = ctes.Add(name);
                }

                if (node.TryGetProperty("named_param_map", out var parameters) && parameters.ValueKind == JsonValueKind.Array && parameters.GetArrayLength() > 0
                    || type == "VALUE_PARAMETER")
                {
                    throw new QueryRejectedException("Prepared-statement parameters ($1, ?, $name) are not supported: write the values into the SQL.", position);
                }

                switch (type)
                {
                    case "TABLE_FUNCTION":
                        throw new QueryRejectedException(
                            $"Table function '{node.GetProperty("function").GetProperty("function_name").GetString()}' is not allowed: query data products by name (domain.product.table), not files or settings.",
                            position, forbidden: true);
                    case "SHOW_REF":
                        throw new QueryRejectedException(
                            "SHOW, DESCRIBE and SUMMARIZE are not allowed: they describe the database the query runs in, not the data products. The registry describes products.",
                            position, forbidden: true);
                    case "BASE_TABLE":
                        var table = ProductNames.Reference(node, ctes, position, Version);
                        if (table is not null)
                        {
                            references.Add(table);
                        }

                        break;
                    case "FUNCTION":
                        SqlFunctions.Check(node, position);
                        break;
                }

                foreach (var property in node.EnumerateObject())
                {
                    if (property.NameEquals("cte_map"))
                    {
                        continue;
                    }

                    Walk(property.Value, ctes, queries, references);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in node.EnumerateArray())
                {
                    Walk(item, ctes, queries, references);
                }

                break;
        }
    }
}
