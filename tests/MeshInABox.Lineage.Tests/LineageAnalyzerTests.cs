using MeshInABox.Lineage.Catalog;
using MeshInABox.MeshRepository;
using MeshInABox.Testing;

namespace MeshInABox.Lineage.Tests;

/// <summary>What is reported instead of lineage (errors, refusals, the undeterminable), and the edge kinds on the constructs users ask about.</summary>
public sealed class LineageAnalyzerTests : IDisposable
{
    private readonly LineageAnalyzer _analyzer = new(TestCatalog.Create());

    public void Dispose() => _analyzer.Dispose();

    private static LineageEdge Edge(string source, EdgeSubtype subtype) => new(source, LineageEdge.TypeOf(subtype), subtype);

    private static IReadOnlyList<LineageEdge> EdgesOf(LineageResult result, string column) => result.Columns.Single(c => c.Key == column).Value;

    [Fact]
    public void A_syntax_error_gives_duckdbs_message_and_position_and_no_sources()
    {
        var result = _analyzer.Analyze("SELECT id FROM orders.lines WHERE");

        Assert.Equal(LineageErrorKind.Syntax, result.Error?.Kind);
        Assert.Contains("syntax error at end of input", result.Error!.Message);
        Assert.Equal(33, result.Error.Position);
        Assert.Empty(result.Sources);
    }

    [Fact]
    public void A_syntax_error_in_an_insert_is_a_syntax_error_too()
    {
        var result = _analyzer.Analyze("INSERT INTO orders.summary SELEC customer FROM orders.lines");

        Assert.Equal(LineageErrorKind.Syntax, result.Error?.Kind);
        Assert.NotNull(result.Error!.Position);
    }

    [Fact]
    public void An_unknown_table_is_reported_as_not_in_the_catalog_not_guessed()
    {
        var result = _analyzer.Analyze("SELECT l.id FROM orders.lines l JOIN orders.returns r ON r.id = l.id");

        Assert.Equal(LineageErrorKind.Binding, result.Error?.Kind);
        Assert.Equal("Table orders.returns is not in the catalog.", result.Error!.Message);
        Assert.Empty(result.Sources);
        Assert.Empty(result.Columns);
    }

    [Fact]
    public void An_unknown_column_is_a_binding_error_with_its_position()
    {
        var result = _analyzer.Analyze("SELECT discount FROM orders.lines");

        Assert.Equal(LineageErrorKind.Binding, result.Error?.Kind);
        Assert.Contains("discount", result.Error!.Message);
        Assert.Equal(7, result.Error.Position);
    }

    [Fact]
    public void A_name_resolves_against_the_default_domain_only()
    {
        using var elsewhere = new LineageAnalyzer(TestCatalog.Create(domain: "marketing"));

        Assert.Equal(LineageErrorKind.Binding, elsewhere.Analyze("SELECT id FROM orders.lines").Error?.Kind);
        Assert.Equal(["marketing.campaigns.spend"], elsewhere.Analyze("SELECT cost FROM campaigns.spend").Sources);
    }

    [Theory]
    [InlineData("SELECT 1; SELECT 2")]
    [InlineData("INSERT INTO orders.summary SELECT * FROM orders.summary; DROP TABLE orders.lines")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("SELECT 1\0; DROP TABLE x")]
    [InlineData("DELETE FROM orders.lines")]
    [InlineData("UPDATE orders.lines SET amount = 0")]
    [InlineData("DROP TABLE orders.lines")]
    public void Anything_but_one_statement_with_lineage_is_refused(string sql)
    {
        var result = _analyzer.Analyze(sql);

        Assert.NotNull(result.Error);
        Assert.Empty(result.Sources);
    }

    [Theory]
    [InlineData("COPY orders.lines TO '/tmp/lineage-leak.csv'")]
    [InlineData("SELECT * FROM read_text('/etc/passwd')")]
    [InlineData("ATTACH '/tmp/lineage-attached.db' AS leak")]
    [InlineData("INSTALL httpfs")]
    [InlineData("SET enable_external_access = true")]
    [InlineData("PRAGMA database_list")]
    public void Statements_that_reach_files_or_settings_get_no_lineage_and_touch_nothing(string sql)
    {
        var result = _analyzer.Analyze(sql);

        Assert.True(result.Error is not null || result.Columns.Count == 0);
        Assert.False(File.Exists("/tmp/lineage-leak.csv"));
        Assert.False(File.Exists("/tmp/lineage-attached.db"));
        // The database still answers, locked as it was.
        Assert.Equal(["sales.orders.lines"], _analyzer.Analyze("SELECT id FROM orders.lines").Sources);
    }

    [Fact]
    public void A_statement_longer_than_the_limit_is_refused()
    {
        var sql = "SELECT id FROM orders.lines WHERE " + string.Join(" OR ", Enumerable.Repeat("id = 1", 20_000));

        var result = _analyzer.Analyze(sql);

        Assert.Equal(LineageErrorKind.Refused, result.Error?.Kind);
        Assert.Contains("at most 100,000", result.Error!.Message);
    }

    [Fact]
    public void Queries_nested_past_the_limit_are_refused_before_planning()
    {
        var sql = "SELECT id FROM orders.lines";
        for (var i = 0; i < 25; i++)
        {
            sql = $"SELECT (SELECT max(id) FROM ({sql}) q{i}) AS id";
        }

        var result = _analyzer.Analyze(sql);

        Assert.Equal(LineageErrorKind.Refused, result.Error?.Kind);
        Assert.Contains("nest", result.Error!.Message);
    }

    [Fact]
    public void Expressions_nested_past_the_parse_tree_limit_are_refused()
    {
        var sql = "SELECT " + string.Concat(Enumerable.Repeat("abs(", 300)) + "amount" + new string(')', 300) + " FROM orders.lines";

        Assert.Equal(LineageErrorKind.Refused, _analyzer.Analyze(sql).Error?.Kind);
    }

    [Fact]
    public void A_statement_DuckDB_does_not_answer_in_time_is_refused_and_the_next_one_gets_a_fresh_database()
    {
        using var hurried = new LineageAnalyzer(TestCatalog.Create(), timeout: TimeSpan.Zero);

        var first = hurried.Analyze("SELECT id FROM orders.lines");
        var second = hurried.Analyze("SELECT id FROM orders.lines");

        Assert.Equal(LineageErrorKind.Refused, first.Error?.Kind);
        Assert.Contains("longer than", first.Error!.Message);
        Assert.Equal(LineageErrorKind.Refused, second.Error?.Kind);
    }

    [Fact]
    public void A_catalog_file_lists_tables_and_their_columns()
    {
        var catalog = CatalogFile.Parse("""{"domain": "shop", "tables": {"shop.orders.lines": {"id": "BIGINT"}, "loose": {"x": "VARCHAR"}}}""");
        using var analyzer = new LineageAnalyzer(catalog);

        Assert.Equal("shop", catalog.DefaultDomain);
        Assert.Equal(["loose", "shop.orders.lines"], analyzer.Analyze("SELECT id, x FROM orders.lines, loose").Sources);
    }

    [Fact]
    public void A_cte_shadowing_a_table_is_never_a_source_but_the_table_is_outside_the_ctes_scope()
    {
        var inside = _analyzer.Analyze("WITH recent AS (SELECT id FROM orders.lines) SELECT id FROM recent");
        var outside = _analyzer.Analyze("SELECT x.id FROM (WITH recent AS (SELECT id FROM orders.lines) SELECT id FROM recent) x UNION ALL SELECT id FROM recent");

        Assert.Equal(["sales.orders.lines"], inside.Sources);
        Assert.Equal(["recent", "sales.orders.lines"], outside.Sources);
        Assert.Equal(["recent.id", "sales.orders.lines.id"], outside.SourcesOf("id"));
    }

    [Fact]
    public void Select_star_expands_to_every_column_of_the_catalog_table()
    {
        var result = _analyzer.Analyze("SELECT * FROM orders.summary");

        Assert.Equal(["customer", "total", "orders"], result.Columns.Select(c => c.Key));
        Assert.Equal([Edge("sales.orders.summary.total", EdgeSubtype.Identity)], EdgesOf(result, "total"));
    }

    [Fact]
    public void An_alias_names_the_output_and_a_table_alias_resolves_to_its_table()
    {
        var result = _analyzer.Analyze("SELECT x.amount AS value FROM orders.lines AS x");

        Assert.Equal([Edge("sales.orders.lines.amount", EdgeSubtype.Identity)], EdgesOf(result, "value"));
    }

    [Fact]
    public void Cast_and_coalesce_transform_every_argument()
    {
        var result = _analyzer.Analyze("SELECT COALESCE(CAST(l.amount AS VARCHAR), c.name) AS label FROM orders.lines l JOIN orders.customers c ON c.id = l.customer");

        Assert.Equal([Edge("sales.orders.customers.name", EdgeSubtype.Transformation), Edge("sales.orders.lines.amount", EdgeSubtype.Transformation)], EdgesOf(result, "label"));
        Assert.Equal([Edge("sales.orders.customers.id", EdgeSubtype.Join), Edge("sales.orders.lines.customer", EdgeSubtype.Join)], result.Dataset);
    }

    [Fact]
    public void A_case_condition_is_an_indirect_conditional_edge_and_its_branches_direct()
    {
        var result = _analyzer.Analyze("SELECT CASE WHEN status = 'paid' THEN amount END AS paid FROM orders.lines");

        Assert.Equal([Edge("sales.orders.lines.amount", EdgeSubtype.Transformation), Edge("sales.orders.lines.status", EdgeSubtype.Conditional)], EdgesOf(result, "paid"));
    }

    [Fact]
    public void A_windows_partition_and_order_are_indirect_window_edges()
    {
        var result = _analyzer.Analyze("SELECT sum(amount) OVER (PARTITION BY customer ORDER BY day) AS running FROM orders.lines");

        Assert.Equal(
            [Edge("sales.orders.lines.amount", EdgeSubtype.Aggregation), Edge("sales.orders.lines.customer", EdgeSubtype.Window), Edge("sales.orders.lines.day", EdgeSubtype.Window)],
            EdgesOf(result, "running"));
    }

    [Fact]
    public void Filters_groupings_and_orderings_are_dataset_edges_not_column_edges()
    {
        var result = _analyzer.Analyze("SELECT customer, count(*) AS n FROM orders.lines WHERE status = 'paid' GROUP BY customer ORDER BY max(day)");

        Assert.Equal([], EdgesOf(result, "n"));
        Assert.Equal(
            [Edge("sales.orders.lines.customer", EdgeSubtype.GroupBy), Edge("sales.orders.lines.day", EdgeSubtype.Sort), Edge("sales.orders.lines.status", EdgeSubtype.Filter)],
            result.Dataset);
    }

    [Fact]
    public void A_union_merges_its_branches_column_by_column()
    {
        var result = _analyzer.Analyze("SELECT customer, amount FROM orders.lines UNION SELECT customer, amount * 2 FROM billing.invoices");

        Assert.Equal([Edge("sales.billing.invoices.amount", EdgeSubtype.Transformation), Edge("sales.orders.lines.amount", EdgeSubtype.Identity)], EdgesOf(result, "amount"));
    }

    [Fact]
    public void Insert_without_a_column_list_fills_the_targets_columns_in_order()
    {
        var result = _analyzer.Analyze("INSERT INTO orders.summary SELECT name, 0, 0 FROM orders.customers");

        Assert.Equal("sales.orders.summary", result.Target);
        Assert.Equal(["customer", "total", "orders"], result.Columns.Select(c => c.Key));
        Assert.Equal(["sales.orders.customers.name"], result.SourcesOf("customer"));
        Assert.Empty(result.SourcesOf("total"));
    }

    [Fact]
    public void Insert_with_a_column_list_matches_by_position_and_leaves_the_rest_to_defaults()
    {
        var result = _analyzer.Analyze("INSERT INTO orders.summary (orders, customer) SELECT count(*), customer FROM orders.lines GROUP BY customer");

        Assert.Equal(["sales.orders.lines.customer"], result.SourcesOf("customer"));
        Assert.Empty(result.SourcesOf("orders"));
        Assert.Empty(result.SourcesOf("total"));
    }

    [Fact]
    public void Create_table_as_names_its_target_and_columns()
    {
        var result = _analyzer.Analyze("CREATE TABLE orders.paid AS SELECT id AS line, amount FROM orders.lines WHERE status = 'paid'");

        Assert.Equal("sales.orders.paid", result.Target);
        Assert.Equal(["line", "amount"], result.Columns.Select(c => c.Key));
        Assert.Equal(["sales.orders.lines"], result.Sources);
    }

    [Fact]
    public void Create_view_binds_its_query_alone()
    {
        var result = _analyzer.Analyze("CREATE VIEW orders.per_customer (who, spent) AS SELECT customer, sum(amount) FROM orders.lines GROUP BY customer");

        Assert.Equal("sales.orders.per_customer", result.Target);
        Assert.Equal([Edge("sales.orders.lines.amount", EdgeSubtype.Aggregation)], EdgesOf(result, "spent"));
    }

    [Fact]
    public void A_view_over_an_unknown_table_is_not_in_the_catalog()
    {
        var result = _analyzer.Analyze("CREATE VIEW orders.v AS SELECT * FROM orders.nothing");

        // No parse tree for a CREATE VIEW: the name is DuckDB's, its last part.
        Assert.Equal("Table nothing is not in the catalog.", result.Error?.Message);
        Assert.Equal(LineageErrorKind.Binding, result.Error?.Kind);
    }

    [Fact]
    public void A_file_read_lists_the_file_and_says_its_columns_are_undetermined()
    {
        var result = _analyzer.Analyze("SELECT a FROM read_parquet('lake/x.parquet')");

        Assert.Equal(["file:lake/x.parquet"], result.Sources);
        Assert.Empty(result.Columns);
        Assert.Contains("undetermined", result.Undetermined);
    }

    [Fact]
    public void Edges_compose_indirect_first_then_the_stronger_direct()
    {
        Assert.Equal(EdgeSubtype.Conditional, Analysis.PlanLineage.Compose(EdgeSubtype.Conditional, EdgeSubtype.Aggregation));
        Assert.Equal(EdgeSubtype.Window, Analysis.PlanLineage.Compose(EdgeSubtype.Identity, EdgeSubtype.Window));
        Assert.Equal(EdgeSubtype.Aggregation, Analysis.PlanLineage.Compose(EdgeSubtype.Transformation, EdgeSubtype.Aggregation));
        Assert.Equal(EdgeSubtype.Transformation, Analysis.PlanLineage.Compose(EdgeSubtype.Transformation, EdgeSubtype.Identity));
    }

    [Fact]
    public void The_sample_meshs_transforms_bind_against_its_contracts()
    {
        var (catalog, _) = MeshRepositoryCatalog.Read(RepositoryLayout.SampleMesh, "content");
        using var analyzer = new LineageAnalyzer(catalog);
        Assert.Contains("content.viewing_sessions.sessions", catalog.Tables.Keys);

        var sql = File.ReadAllText(Path.Combine(RepositoryLayout.SampleMesh, "content", "popular-titles", "sql", "popular_titles.sql"));
        var result = analyzer.Analyze(sql);

        Assert.Null(result.Error);
        Assert.Contains("content.viewing_sessions.sessions", result.Sources);
        Assert.NotEmpty(result.Columns);
    }
}
