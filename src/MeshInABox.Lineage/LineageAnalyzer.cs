using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;
using MeshInABox.Lineage.Analysis;
using MeshInABox.Lineage.Catalog;

namespace MeshInABox.Lineage;

/// <summary>
/// The lineage of one SQL statement (a SELECT, <c>INSERT INTO ... SELECT</c>, <c>CREATE TABLE ... AS</c> or
/// <c>CREATE VIEW</c>): DuckDB parses it and binds it against stub tables made from the catalog, and the bound plan
/// says which column feeds which. The SQL is untrusted: it is never run, only serialized, in a database that holds
/// nothing and reaches no file. Not thread-safe across calls: one statement at a time.
/// </summary>
public sealed class LineageAnalyzer : IDisposable
{
    /// <summary>The longest SQL text accepted (characters), as the query service accepts.</summary>
    public const int MaxSqlLength = 100_000;

    /// <summary>How deep the parse tree (as JSON) may nest: about 120 nested expressions.</summary>
    public const int MaxTreeDepth = 256;

    /// <summary>How deep the plan (as JSON) may nest; plans nest deeper than parse trees, an operator is several levels.</summary>
    public const int MaxPlanDepth = 1024;

    /// <summary>
    /// How deep queries may nest: DuckDB's planning time grows exponentially with it (22 nested scalar subqueries
    /// plan in 0.1 s, 26 in 26 s), as the query service measured.
    /// </summary>
    public const int MaxQueryNesting = 20;

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    private readonly LineageCatalog _catalog;
    private readonly TimeSpan _timeout;
    private LineageDatabase _database;

    public LineageAnalyzer(LineageCatalog catalog, TimeSpan? timeout = null)
    {
        _catalog = catalog;
        _timeout = timeout ?? DefaultTimeout;
        _database = new LineageDatabase(catalog);
    }

    public LineageResult Analyze(string sql)
    {
        try
        {
            if (_database.Abandoned)
            {
                _database = new LineageDatabase(_catalog);
            }

            return AnalyzeChecked(sql);
        }
        catch (LineageRefusal refusal)
        {
            return LineageResult.Failed(refusal.Error);
        }
        catch (TimeoutException timeout)
        {
            return LineageResult.Failed(new LineageError(LineageErrorKind.Refused, timeout.Message));
        }
        catch (Exception error) when (error is KeyNotFoundException or InvalidOperationException or FormatException or IndexOutOfRangeException)
        {
            // A parse tree or plan of a shape this reader does not know (a DuckDB feature it was not written for).
            return new LineageResult(null, [], [], [], $"Lineage is undetermined: DuckDB's plan has a shape the reader does not follow ({error.Message}).");
        }
        catch (DuckDBException error)
        {
            return LineageResult.Failed(new LineageError(LineageErrorKind.Refused, $"DuckDB could not serialize the statement: {error.Message.Split('\n')[0]}"));
        }
    }

    private LineageResult AnalyzeChecked(string sql)
    {
        if (string.IsNullOrWhiteSpace(sql))
        {
            throw Refused("The statement is empty.");
        }

        if (sql.Length > MaxSqlLength)
        {
            throw Refused($"The statement is {sql.Length:N0} characters long; at most {MaxSqlLength:N0} are accepted.");
        }

        // DuckDB's C API ends a string at a NUL: the parser would see less than was sent.
        if (sql.IndexOf('\0', StringComparison.Ordinal) is var nul and >= 0)
        {
            throw Refused($"The statement holds a NUL character (at character {SqlPosition.CodePoints(sql, nul) + 1}).", SqlPosition.CodePoints(sql, nul));
        }

        using var parsed = Json(_database.Serialize("json_serialize_sql", sql, _timeout), MaxTreeDepth,
            $"The statement nests too deeply: its parse tree is more than {MaxTreeDepth} levels deep.");
        var parse = parsed.RootElement;
        JsonElement? select = null;
        if (parse.GetProperty("error").GetBoolean())
        {
            if (parse.GetProperty("error_type").GetString() == "parser")
            {
                var position = Position(parse);
                throw new LineageRefusal(new LineageError(LineageErrorKind.Syntax,
                    $"SQL syntax error: {parse.GetProperty("error_message").GetString()}{(position is { } p ? $" (at character {p + 1})" : "")}", position));
            }

            // Anything but a SELECT is refused by the serializer, not the parser: the plan tells what it is.
        }
        else
        {
            var statements = parse.GetProperty("statements");
            if (statements.GetArrayLength() != 1)
            {
                throw Refused($"Send one statement, not {statements.GetArrayLength()}.");
            }

            select = statements[0];
            CheckNesting(select.Value);
        }

        using var planned = Json(_database.Serialize("json_serialize_plan", sql, _timeout), MaxPlanDepth,
            $"The statement's plan is more than {MaxPlanDepth} levels deep.");
        var plan = planned.RootElement;
        if (plan.GetProperty("error").GetBoolean())
        {
            return Unbound(plan, select);
        }

        var plans = plan.GetProperty("plans");
        if (plans.GetArrayLength() != 1)
        {
            throw Refused($"Send one statement, not {plans.GetArrayLength()}.");
        }

        var root = plans[0];
        var type = root.GetProperty("type").GetString();
        if (type == "LOGICAL_CREATE_VIEW")
        {
            return View(root.GetProperty("info"));
        }

        if (select is null && type is not ("LOGICAL_INSERT" or "LOGICAL_CREATE_TABLE"))
        {
            throw Refused($"Only SELECT, INSERT ... SELECT, CREATE TABLE ... AS and CREATE VIEW have column lineage; this statement plans as {type}.");
        }

        return Walk(root, select is null ? [] : QueryNames(select.Value));
    }

    private static void CheckNesting(JsonElement query)
    {
        if (ParseTree.QueryNesting(query) > MaxQueryNesting)
        {
            throw Refused($"The statement nests queries (subqueries, WITH queries, set operations) more than {MaxQueryNesting} deep; planning that would take DuckDB too long.");
        }
    }

    private LineageResult Walk(JsonElement root, IReadOnlyList<string> names, string? target = null)
    {
        var walker = new PlanLineage(_database.TableName);
        try
        {
            var (statementTarget, outputNames, columns) = walker.Statement(root, names);
            return new LineageResult(
                target ?? statementTarget,
                [.. walker.Sources],
                [.. outputNames.Zip(columns, (name, lineage) => new KeyValuePair<string, IReadOnlyList<LineageEdge>>(name, PlanLineage.Edges(lineage)))],
                walker.Dataset);
        }
        catch (UndeterminedException reason)
        {
            return new LineageResult(target, [.. walker.Sources], [], [], $"Column lineage is undetermined: {reason.Message} The sources listed are those found before it.");
        }
    }

    /// <summary>A view's plan holds its query unbound: DuckDB renders it back to SQL, and that SELECT is bound alone.</summary>
    private LineageResult View(JsonElement info)
    {
        var target = _database.TableName(info.GetProperty("catalog").GetString()!, info.GetProperty("schema").GetString()!, info.GetProperty("view_name").GetString()!);
        var query = info.GetProperty("query");
        CheckNesting(query);
        var aliases = info.GetProperty("aliases").EnumerateArray().Select(a => a.GetString()!).ToList();
        var names = info.GetProperty("names").EnumerateArray().Select((n, i) => (i < aliases.Count ? aliases[i] : n.GetString()!).ToLowerInvariant()).ToList();
        using var planned = Json(_database.Serialize("json_serialize_plan", Render(query), _timeout), MaxPlanDepth,
            $"The view's plan is more than {MaxPlanDepth} levels deep.");
        var plan = planned.RootElement;
        if (plan.GetProperty("error").GetBoolean())
        {
            var unbound = Unbound(plan, query);
            return unbound with { Target = unbound.Error is null ? target : null };
        }

        return Walk(plan.GetProperty("plans")[0], names, target: target);
    }

    /// <summary>DuckDB's own rendering of one parsed SELECT (<c>json_deserialize_sql</c>): one statement, whatever the original text held.</summary>
    private string Render(JsonElement select)
    {
        var statement = new JsonObject { ["error"] = false, ["statements"] = new JsonArray(JsonNode.Parse(select.GetRawText(), documentOptions: new JsonDocumentOptions { MaxDepth = MaxTreeDepth })) };
        return _database.Serialize("json_deserialize_sql", statement.ToJsonString(), _timeout);
    }

    /// <summary>
    /// A query's output names as DuckDB names them (the plan has none for computed columns): the query, rendered
    /// back from its parse tree, planned as a view's body, whose plan lists them.
    /// </summary>
    private IReadOnlyList<string> QueryNames(JsonElement select)
    {
        var view = $"CREATE VIEW {LineageDatabase.Quote(_database.DefaultCatalog)}.main.{LineageDatabase.Quote("lineage output")} AS {Render(select)}";
        using var planned = Json(_database.Serialize("json_serialize_plan", view, _timeout), MaxPlanDepth, "The statement's plan nests too deeply.");
        var plan = planned.RootElement;
        return plan.GetProperty("error").GetBoolean()
            ? []
            : [.. plan.GetProperty("plans")[0].GetProperty("info").GetProperty("names").EnumerateArray().Select(n => n.GetString()!.ToLowerInvariant())];
    }

    /// <summary>The statement did not bind: a name not in the catalog, or a file read (the lineage database reaches no file).</summary>
    private static LineageResult Unbound(JsonElement plan, JsonElement? select)
    {
        var errorType = plan.GetProperty("error_type").GetString();
        var message = plan.GetProperty("error_message").GetString()!.Split('\n')[0];
        var position = Position(plan);
        if (errorType == "catalog")
        {
            var what = plan.TryGetProperty("type", out var t) ? t.GetString() : null;
            // The name as written where the parse tree has it (DuckDB's error names the last part only).
            var name = (select is { } tree && position is { } at ? ParseTree.TableAt(tree, at) : null)
                ?? (plan.TryGetProperty("name", out var n) ? n.GetString() : null);
            return LineageResult.Failed(new LineageError(LineageErrorKind.Binding,
                what is not null && name is not null ? $"{what} {name} is not in the catalog." : $"Not in the catalog: {message}", position));
        }

        if (select is { } query)
        {
            var (sources, unknown) = ParseTree.Sources(query);
            if (sources.Any(s => s.StartsWith("file:", StringComparison.Ordinal)) || unknown.Count > 0)
            {
                return new LineageResult(null, [.. sources], [], [],
                    $"Column lineage is undetermined: the statement reads files, whose columns no catalog describes ({string.Join(' ', unknown.DefaultIfEmpty(message))}). Sources are as written, not resolved.");
            }
        }

        return LineageResult.Failed(new LineageError(LineageErrorKind.Binding, $"The statement does not bind: {message}", position));
    }

    private static int? Position(JsonElement error) =>
        error.TryGetProperty("position", out var p) && int.TryParse(p.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var at) ? at : null;

    private static JsonDocument Json(string text, int maxDepth, string tooDeep)
    {
        try
        {
            return JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = maxDepth });
        }
        catch (JsonException)
        {
            throw Refused(tooDeep);
        }
    }

    private static LineageRefusal Refused(string message, int? position = null) => new(new LineageError(LineageErrorKind.Refused, message, position));

    public void Dispose() => _database.Dispose();

    private sealed class LineageRefusal(LineageError error) : Exception(error.Message)
    {
        public LineageError Error { get; } = error;
    }
}
