using System.Text.Json;
using ColumnLineage = System.Collections.Generic.Dictionary<string, System.Collections.Generic.HashSet<MeshInABox.Lineage.EdgeSubtype>>;

namespace MeshInABox.Lineage.Analysis;

/// <summary>A part of a statement whose lineage cannot be determined, and why; reported, never guessed.</summary>
internal sealed class UndeterminedException(string reason) : Exception(reason);

/// <summary>
/// Column lineage read off DuckDB's bound logical plan (<c>json_serialize_plan</c>). Each operator's output is a list
/// of columns; expressions refer to their input's columns by position (<c>BOUND_REF</c>), so the lineage of every
/// output column is its input columns' lineage composed with what the expression does to them. Scoping, <c>*</c>,
/// aliases and CTE names are the binder's work: the plan holds only what was bound.
/// </summary>
internal sealed class PlanLineage(Func<string, string, string, string> tableName)
{
    private readonly SortedSet<string> _sources = new(StringComparer.Ordinal);
    private readonly ColumnLineage _dataset = [];
    private readonly Dictionary<ulong, List<ColumnLineage>> _ctes = [];
    private readonly Stack<List<ColumnLineage>> _delimited = new();

    public IReadOnlyCollection<string> Sources => _sources;

    public IReadOnlyList<LineageEdge> Dataset => Edges(_dataset);

    /// <summary>The statement's target (null for a query), its output columns' names and their lineage.</summary>
    /// <param name="queryNames">A query's output names (the plan holds no names for computed columns).</param>
    public (string? Target, IReadOnlyList<string> Names, List<ColumnLineage> Columns) Statement(JsonElement plan, IReadOnlyList<string> queryNames)
    {
        switch (Type(plan))
        {
            case "LOGICAL_INSERT":
            {
                var table = plan.GetProperty("table_info");
                var names = ColumnNames(table);
                var input = Operator(Child(plan, 0));
                var map = plan.TryGetProperty("column_index_map", out var m) && m.TryGetProperty("internal_vector", out var vector)
                    ? vector.EnumerateArray().Select(i => i.GetUInt64()).ToList()
                    : [];
                // With a column list, the map says which select column fills each target column (none: its default).
                var columns = names.Select((_, i) => map.Count > 0
                    ? map[i] < (ulong)input.Count ? input[(int)map[i]] : []
                    : i < input.Count ? input[i] : []).ToList();
                return (TableOf(table, "table"), names, columns);
            }

            case "LOGICAL_CREATE_TABLE":
            {
                var info = plan.GetProperty("info");
                var names = ColumnNames(info);
                var input = Operator(Child(plan, 0));
                return (TableOf(info, "table"), names, [.. names.Select((_, i) => i < input.Count ? input[i] : [])]);
            }

            default:
                var output = Operator(plan);
                return (null, [.. output.Select((_, i) => i < queryNames.Count ? queryNames[i] : $"column{i}")], output);
        }
    }

    public static IReadOnlyList<LineageEdge> Edges(ColumnLineage lineage) =>
        [.. lineage.SelectMany(source => source.Value.Select(subtype => new LineageEdge(source.Key, LineageEdge.TypeOf(subtype), subtype)))
            .OrderBy(e => e.Source, StringComparer.Ordinal).ThenBy(e => e.Subtype)];

    private static IReadOnlyList<string> ColumnNames(JsonElement table) =>
        [.. table.GetProperty("columns").GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()!.ToLowerInvariant())];

    private string TableOf(JsonElement entry, string nameKey) =>
        tableName(entry.GetProperty("catalog").GetString()!, entry.GetProperty("schema").GetString()!, entry.GetProperty(nameKey).GetString()!);

    private static string? Type(JsonElement node) => node.TryGetProperty("type", out var t) ? t.GetString() : null;

    private static JsonElement Child(JsonElement op, int index) => op.GetProperty("children")[index];

    private static IEnumerable<JsonElement> Items(JsonElement op, string property) =>
        op.TryGetProperty(property, out var items) && items.ValueKind == JsonValueKind.Array ? items.EnumerateArray() : [];

    private List<ColumnLineage> Operator(JsonElement op)
    {
        var type = Type(op);
        switch (type)
        {
            case "LOGICAL_GET":
                return Get(op);
            case "LOGICAL_PROJECTION":
            {
                var input = Operator(Child(op, 0));
                return [.. Items(op, "expressions").Select(e => Expression(e, EdgeSubtype.Identity, input))];
            }

            case "LOGICAL_FILTER":
            {
                var input = Operator(Child(op, 0));
                foreach (var condition in Items(op, "expressions"))
                {
                    Decides(condition, EdgeSubtype.Filter, input);
                }

                return Projected(input, op, "projection_map");
            }

            case "LOGICAL_COMPARISON_JOIN" or "LOGICAL_DELIM_JOIN" or "LOGICAL_ASOF_JOIN":
                return Join(op);
            case "LOGICAL_ANY_JOIN":
            {
                var left = Operator(Child(op, 0));
                var right = Operator(Child(op, 1));
                Decides(op.GetProperty("condition"), EdgeSubtype.Join, [.. left, .. right]);
                return JoinOutput(op, left, right, []);
            }

            case "LOGICAL_CROSS_PRODUCT" or "LOGICAL_POSITIONAL_JOIN":
                return [.. Operator(Child(op, 0)), .. Operator(Child(op, 1))];
            case "LOGICAL_WINDOW" or "LOGICAL_UNNEST":
            {
                var input = Operator(Child(op, 0));
                return [.. input, .. Items(op, "expressions").Select(e => Expression(e, EdgeSubtype.Identity, input))];
            }

            case "LOGICAL_AGGREGATE_AND_GROUP_BY":
            {
                var input = Operator(Child(op, 0));
                var groups = Items(op, "groups").Select(g =>
                {
                    Decides(g, EdgeSubtype.GroupBy, input);
                    return Expression(g, EdgeSubtype.Identity, input);
                }).ToList();
                var aggregates = Items(op, "expressions").Select(e => Expression(e, EdgeSubtype.Identity, input));
                var groupings = Items(op, "grouping_functions").Select(_ => new ColumnLineage());
                return [.. groups, .. aggregates, .. groupings];
            }

            case "LOGICAL_ORDER_BY" or "LOGICAL_TOP_N":
            {
                var input = Operator(Child(op, 0));
                foreach (var order in Items(op, "orders"))
                {
                    Decides(order.GetProperty("expression"), EdgeSubtype.Sort, input);
                }

                return Projected(input, op, "projection_map");
            }

            case "LOGICAL_LIMIT" or "LOGICAL_DISTINCT" or "LOGICAL_SAMPLE":
                return Operator(Child(op, 0));
            case "LOGICAL_UNION":
                return op.GetProperty("children").EnumerateArray().Select(Operator).Aggregate(Merge);
            case "LOGICAL_EXCEPT" or "LOGICAL_INTERSECT":
            {
                var left = Operator(Child(op, 0));
                foreach (var column in Operator(Child(op, 1)))
                {
                    Add(_dataset, column, EdgeSubtype.Filter);
                }

                return left;
            }

            case "LOGICAL_MATERIALIZED_CTE":
                _ctes[op.GetProperty("table_index").GetUInt64()] = Operator(Child(op, 0));
                return Operator(Child(op, 1));
            case "LOGICAL_RECURSIVE_CTE":
            {
                var index = op.GetProperty("table_index").GetUInt64();
                var anchor = Operator(Child(op, 0));
                _ctes[index] = anchor;
                // Twice: the second pass sees what the recursive part adds to itself.
                _ctes[index] = Merge(anchor, Operator(Child(op, 1)));
                return Merge(anchor, Operator(Child(op, 1)));
            }

            case "LOGICAL_CTE_REF":
                return _ctes.TryGetValue(op.GetProperty("cte_index").GetUInt64(), out var cte)
                    ? [.. cte]
                    : throw new UndeterminedException("a WITH query is referred to before the plan defines it.");
            case "LOGICAL_DELIM_GET":
                return _delimited.Count > 0 ? _delimited.Peek() : throw new UndeterminedException("a correlated subquery's outer columns are not in the plan.");
            case "LOGICAL_EXPRESSION_GET":
            {
                var input = Operator(Child(op, 0));
                return Items(op, "expressions").Select(row => row.EnumerateArray().Select(e => Expression(e, EdgeSubtype.Identity, input)).ToList())
                    .DefaultIfEmpty([]).Aggregate(Merge);
            }

            case "LOGICAL_DUMMY_SCAN":
                return [];
            case "LOGICAL_EMPTY_RESULT":
                return [.. Items(op, "return_types").Select(_ => new ColumnLineage())];
            default:
                throw new UndeterminedException($"the plan holds a {type} operator, which column lineage does not follow.");
        }
    }

    private List<ColumnLineage> Get(JsonElement op)
    {
        var names = Items(op, "names").Select(n => n.GetString()!.ToLowerInvariant()).ToList();
        string? table = null;
        if (op.TryGetProperty("function_data", out var data) && data.ValueKind == JsonValueKind.Object && data.TryGetProperty("table", out _))
        {
            table = TableOf(data, "table");
            _sources.Add(table);
        }

        // Table functions that read no stored data (generate_series, range, unnest) give columns without sources.
        var columns = Items(op, "column_indexes").Select(c =>
        {
            var index = c.GetProperty("index").GetUInt64();
            return table is not null && index < (ulong)names.Count
                ? new ColumnLineage { [$"{table}.{names[(int)index]}"] = [EdgeSubtype.Identity] }
                : [];
        }).ToList();
        return Projected(columns, op, "projection_ids");
    }

    private List<ColumnLineage> Join(JsonElement op)
    {
        var left = Operator(Child(op, 0));
        var isDelim = Type(op) == "LOGICAL_DELIM_JOIN";
        if (isDelim)
        {
            if (op.TryGetProperty("delim_flipped", out var flipped) && flipped.GetBoolean())
            {
                throw new UndeterminedException("a correlated subquery was planned with its outer side on the right, which column lineage does not follow.");
            }

            _delimited.Push([.. Items(op, "duplicate_eliminated_columns").Select(e => Expression(e, EdgeSubtype.Identity, left))]);
        }

        var right = Operator(Child(op, 1));
        if (isDelim)
        {
            _delimited.Pop();
        }

        var joinType = op.GetProperty("join_type").GetString();
        var decides = joinType is "SEMI" or "ANTI" or "MARK" or "RIGHT_SEMI" or "RIGHT_ANTI" ? EdgeSubtype.Filter : EdgeSubtype.Join;
        var mark = new ColumnLineage();
        foreach (var condition in Items(op, "conditions"))
        {
            var both = Merge(Expression(condition.GetProperty("left"), EdgeSubtype.Transformation, left), Expression(condition.GetProperty("right"), EdgeSubtype.Transformation, right));
            Add(mark, both, EdgeSubtype.Transformation);
            Add(_dataset, both, decides);
        }

        if (op.TryGetProperty("predicate", out var predicate) && predicate.ValueKind == JsonValueKind.Object)
        {
            Decides(predicate, decides, [.. left, .. right]);
        }

        return JoinOutput(op, left, right, mark);
    }

    private static List<ColumnLineage> JoinOutput(JsonElement op, List<ColumnLineage> left, List<ColumnLineage> right, ColumnLineage mark) =>
        op.GetProperty("join_type").GetString() switch
        {
            "SEMI" or "ANTI" => Projected(left, op, "left_projection_map"),
            "RIGHT_SEMI" or "RIGHT_ANTI" => Projected(right, op, "right_projection_map"),
            // A MARK join adds one column, true where the row has a match (IN, EXISTS): computed from the conditions.
            "MARK" => [.. left, mark],
            _ => [.. Projected(left, op, "left_projection_map"), .. Projected(right, op, "right_projection_map")],
        };

    private static List<ColumnLineage> Projected(List<ColumnLineage> input, JsonElement op, string map)
    {
        var indexes = Items(op, map).Select(i => i.GetUInt64()).ToList();
        return indexes.Count == 0 ? input : [.. indexes.Select(i => i < (ulong)input.Count ? input[(int)i] : [])];
    }

    private static List<ColumnLineage> Merge(List<ColumnLineage> a, List<ColumnLineage> b) =>
        [.. Enumerable.Range(0, Math.Max(a.Count, b.Count)).Select(i => Merge(i < a.Count ? a[i] : [], i < b.Count ? b[i] : []))];

    private static ColumnLineage Merge(ColumnLineage a, ColumnLineage b)
    {
        var merged = new ColumnLineage();
        Add(merged, a, null);
        Add(merged, b, null);
        return merged;
    }

    /// <summary>Adds <paramref name="from"/>'s edges to <paramref name="into"/>, each composed with <paramref name="outer"/> when given.</summary>
    private static void Add(ColumnLineage into, ColumnLineage from, EdgeSubtype? outer)
    {
        foreach (var (source, subtypes) in from)
        {
            if (!into.TryGetValue(source, out var set))
            {
                into[source] = set = [];
            }

            foreach (var subtype in subtypes)
            {
                set.Add(outer is { } o ? Compose(o, subtype) : subtype);
            }
        }
    }

    /// <summary>
    /// What an edge through an expression becomes: an INDIRECT use stays what it is (a CASE condition decides, whatever
    /// the column went through before); two DIRECT ones give the stronger.
    /// </summary>
    internal static EdgeSubtype Compose(EdgeSubtype outer, EdgeSubtype inner) =>
        LineageEdge.TypeOf(outer) == EdgeType.Indirect ? outer
        : LineageEdge.TypeOf(inner) == EdgeType.Indirect ? inner
        : (EdgeSubtype)Math.Max((int)outer, (int)inner);

    /// <summary>An expression decides the rows of the output (a filter, a join condition, a grouping, an ordering).</summary>
    private void Decides(JsonElement expression, EdgeSubtype subtype, List<ColumnLineage> input) =>
        Add(_dataset, Expression(expression, subtype, input), null);

    private static ColumnLineage Expression(JsonElement expression, EdgeSubtype context, List<ColumnLineage> input)
    {
        var lineage = new ColumnLineage();
        Visit(expression, context, input, lineage);
        return lineage;
    }

    private static EdgeSubtype Transformed(EdgeSubtype context) => Compose(context, EdgeSubtype.Transformation);

    private static void Visit(JsonElement node, EdgeSubtype context, List<ColumnLineage> input, ColumnLineage into)
    {
        if (node.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in node.EnumerateArray())
            {
                Visit(item, context, input, into);
            }

            return;
        }

        if (node.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var kind = node.TryGetProperty("expression_class", out var c) ? c.GetString() : null;
        switch (kind)
        {
            case "BOUND_REF":
                var index = node.GetProperty("index").GetUInt64();
                if (index < (ulong)input.Count)
                {
                    Add(into, input[(int)index], context);
                }

                return;
            case "BOUND_CONSTANT":
                return;
            case "BOUND_CASE":
                foreach (var check in node.GetProperty("case_checks").EnumerateArray())
                {
                    Visit(check.GetProperty("when_expr"), Compose(context, EdgeSubtype.Conditional), input, into);
                    Visit(check.GetProperty("then_expr"), Transformed(context), input, into);
                }

                Visit(node.GetProperty("else_expr"), Transformed(context), input, into);
                return;
            case "BOUND_AGGREGATE":
                Visit(node.GetProperty("children"), Compose(context, EdgeSubtype.Aggregation), input, into);
                if (node.TryGetProperty("filter", out var filter))
                {
                    Visit(filter, Compose(context, EdgeSubtype.Conditional), input, into);
                }

                // string_agg(x ORDER BY y): the order decides the value, as a window's does.
                if (node.TryGetProperty("order_bys", out var orderBys))
                {
                    Visit(orderBys, Compose(context, EdgeSubtype.Sort), input, into);
                }

                return;
            case "BOUND_WINDOW":
                var aggregates = node.GetProperty("type").GetString() == "WINDOW_AGGREGATE";
                Visit(node.GetProperty("children"), Compose(context, aggregates ? EdgeSubtype.Aggregation : EdgeSubtype.Transformation), input, into);
                foreach (var property in new[] { "offset_expr", "default_expr" })
                {
                    if (node.TryGetProperty(property, out var value))
                    {
                        Visit(value, Transformed(context), input, into);
                    }
                }

                Visit(node.GetProperty("partitions"), Compose(context, EdgeSubtype.Window), input, into);
                foreach (var order in Items(node, "orders").Concat(Items(node, "arg_orders")))
                {
                    Visit(order.GetProperty("expression"), Compose(context, EdgeSubtype.Window), input, into);
                }

                if (node.TryGetProperty("filters", out var filters))
                {
                    Visit(filters, Compose(context, EdgeSubtype.Conditional), input, into);
                }

                return;
            case "BOUND_COLUMN_REF" or "BOUND_SUBQUERY" or "BOUND_LAMBDA_REF":
                throw new UndeterminedException($"the plan holds an unresolved {kind} expression, which column lineage does not follow.");
            case null:
                // Not an expression (an ORDER BY entry, a type): the expressions inside keep the context.
                foreach (var property in node.EnumerateObject())
                {
                    Visit(property.Value, context, input, into);
                }

                return;
            default:
                // Casts, functions, operators, comparisons: the value is computed from what they read.
                foreach (var property in node.EnumerateObject())
                {
                    Visit(property.Value, Transformed(context), input, into);
                }

                return;
        }
    }
}
