using System.Text.Json;
using MeshInABox.Testing;

namespace MeshInABox.Cli.Tests;

/// <summary>
/// <c>mesh validate</c>'s lineage policies on a copy of the sample mesh, broken one way at a time: each finding is
/// at the file, line and column that caused it, with the exit code a script relies on.
/// </summary>
public sealed class ValidateLineageCommandTests : IDisposable
{
    private const string MonthlyRevenueSql = "subscriptions/monthly-revenue/sql/monthly_revenue.sql";
    private const string PopularTitlesSql = "content/popular-titles/sql/popular_titles.sql";
    private const string CampaignPerformanceSql = "advertising/campaign-performance/sql/campaign_performance.sql";

    private readonly string _root = TemporaryDirectory.Create("mesh-validate-lineage-");
    private readonly string _mesh;

    public ValidateLineageCommandTests()
    {
        _mesh = RepositoryLayout.CopySampleMesh(Path.Combine(_root, "mesh"));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Validate_SqlSyntaxError_ExitsOneAtTheSqlFilesLineAndColumn()
    {
        // Line 9 of the file is "GROUP BY p.plan_id, ..."; without BY, DuckDB stops at the "p" in column 7.
        Edit(MonthlyRevenueSql, "GROUP BY p.plan_id", "GROUP p.plan_id");

        var (text, json) = await ValidateBothWaysAsync();

        Assert.Equal(1, text.ExitCode);
        Assert.Contains($"{MonthlyRevenueSql}:9:7: error transform-sql-valid: Transform of output 'monthly_revenue': SQL syntax error", text.Output);
        Assert.Equal(1, json.ExitCode);
        var finding = Assert.Single(Findings(json.Output));
        Assert.Equal(("transform-sql-valid", "error", MonthlyRevenueSql, 9, 7), Position(finding));
        var lineage = Assert.Single(Lineage(json.Output), l => l.GetProperty("product").GetString() == "subscriptions.monthly-revenue");
        Assert.NotEqual(JsonValueKind.Null, lineage.GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task Validate_UnknownTable_ExitsOneAtTheTablesName()
    {
        // Line 6 is "FROM subscriptions.plans.planz AS p": the name starts in column 6.
        Edit(MonthlyRevenueSql, "subscriptions.plans.plans AS p", "subscriptions.plans.planz AS p");

        var (text, json) = await ValidateBothWaysAsync();

        Assert.Equal(1, text.ExitCode);
        Assert.Contains($"{MonthlyRevenueSql}:6:6: error transform-sql-valid:", text.Output);
        Assert.Contains("subscriptions.plans.planz", text.Output);
        var finding = Assert.Single(Findings(json.Output));
        Assert.Equal(("transform-sql-valid", "error", MonthlyRevenueSql, 6, 6), Position(finding));
    }

    [Fact]
    public async Task Validate_TableReadButNotDeclared_ExitsOneAtWhereItIsRead()
    {
        // Line 15 is the join to the catalogue; the undeclared plans table is joined after it, in column 68.
        Edit(PopularTitlesSql, "JOIN content.catalogue.titles AS t ON t.title_id = p.title_id",
            "JOIN content.catalogue.titles AS t ON t.title_id = p.title_id JOIN subscriptions.plans.plans AS pl ON pl.plan_id = t.title_id");

        var (text, json) = await ValidateBothWaysAsync();

        Assert.Equal(1, text.ExitCode);
        Assert.Contains($"{PopularTitlesSql}:15:68: error transform-inputs-declared: Transform of output 'popular_titles' reads subscriptions.plans.plans (output 'plans' of subscriptions.plans), which the manifest does not list in inputs.", text.Output);
        Assert.Equal(1, json.ExitCode);
        var finding = Assert.Single(Findings(json.Output));
        Assert.Equal(("transform-inputs-declared", "error", PopularTitlesSql, 15, 68), Position(finding));
        var lineage = Assert.Single(Lineage(json.Output), l => l.GetProperty("product").GetString() == "content.popular-titles");
        Assert.Equal(["content.catalogue.titles", "content.viewing_sessions.sessions", "subscriptions.plans.plans"], Strings(lineage.GetProperty("sources")).Order());
    }

    [Fact]
    public async Task Validate_InputDeclaredButNeverRead_WarnsAtTheInputAndExitsZero()
    {
        const string manifest = "subscriptions/monthly-revenue/dataproduct.json";
        // The unread input is written as the first item of "inputs", on line 16 of the manifest.
        Edit(manifest, "\"inputs\": [", "\"inputs\": [ { \"product\": \"content.catalogue\", \"output\": \"titles\" },");

        var (text, json) = await ValidateBothWaysAsync();

        Assert.Equal(0, text.ExitCode);
        Assert.Contains($"{manifest}:16:15: warning inputs-read: Input content.catalogue (output 'titles') is declared, but no transform of 'subscriptions.monthly-revenue' reads it.", text.Output);
        Assert.Contains("0 error(s), 1 warning(s).", text.Output);
        Assert.Equal(0, json.ExitCode);
        var finding = Assert.Single(Findings(json.Output));
        Assert.Equal(("inputs-read", "warning", manifest, 16, 15), Position(finding));
    }

    [Fact]
    public async Task Validate_TransformReadingAFile_WarnsThatItsLineageIsUndetermined()
    {
        Edit(CampaignPerformanceSql, "FROM advertising.ad_impressions.impressions AS i",
            "FROM advertising.ad_impressions.impressions AS i JOIN read_csv('data/extra.csv') AS x ON x.campaign_id = i.campaign_id");

        var (text, json) = await ValidateBothWaysAsync();

        Assert.Equal(0, text.ExitCode);
        Assert.Contains($"{CampaignPerformanceSql}:1:1: warning transform-lineage-determined: Transform of output 'campaign_performance': Column lineage is undetermined", text.Output);
        var finding = Assert.Single(Findings(json.Output));
        Assert.Equal(("transform-lineage-determined", "warning", CampaignPerformanceSql, 1, 1), Position(finding));
        var lineage = Assert.Single(Lineage(json.Output), l => l.GetProperty("product").GetString() == "advertising.campaign-performance");
        Assert.NotEqual(JsonValueKind.Null, lineage.GetProperty("undetermined").ValueKind);
    }

    /// <summary>The three sample products with SQL: each transform's lineage is what its SQL says, read from the JSON report.</summary>
    [Fact]
    public async Task Validate_JsonReport_CarriesEachTransformsLineage()
    {
        var ct = TestContext.Current.CancellationToken;

        var json = await MeshProcess.RunAsync(_root, ct, "validate", _mesh, "--format", "json");

        Assert.Equal(0, json.ExitCode);
        var lineage = Lineage(json.Output).ToDictionary(l => l.GetProperty("product").GetString()!);
        Assert.Equal(["advertising.campaign-performance", "content.popular-titles", "subscriptions.monthly-revenue"], lineage.Keys.Order());

        // SELECT i.campaign_id, count(*) AS impressions, count(*) FILTER (WHERE i.clicked) AS clicks,
        //        round(count(*) FILTER (WHERE i.clicked) / count(*)::double, 4) AS click_through_rate, round(sum(i.cost_eur), 2) AS spend_eur
        // FROM advertising.ad_impressions.impressions AS i
        AssertLineage(lineage["advertising.campaign-performance"], "campaign_performance", CampaignPerformanceSql,
            ["advertising.ad_impressions.impressions"],
            new()
            {
                ["campaign_id"] = ["advertising.ad_impressions.impressions.campaign_id"],
                ["impressions"] = [],
                ["clicks"] = ["advertising.ad_impressions.impressions.clicked"],
                ["click_through_rate"] = ["advertising.ad_impressions.impressions.clicked"],
                ["spend_eur"] = ["advertising.ad_impressions.impressions.cost_eur"],
            });

        // per_title: s.title_id, count(*) AS sessions, sum(s.minutes_watched) FROM content.viewing_sessions.sessions;
        // then t.title_id, t.title, p.sessions, p.minutes_watched, rank() OVER (ORDER BY p.minutes_watched DESC, t.title_id) JOIN content.catalogue.titles.
        AssertLineage(lineage["content.popular-titles"], "popular_titles", PopularTitlesSql,
            ["content.catalogue.titles", "content.viewing_sessions.sessions"],
            new()
            {
                ["title_id"] = ["content.catalogue.titles.title_id"],
                ["title"] = ["content.catalogue.titles.title"],
                ["sessions"] = [],
                ["minutes_watched"] = ["content.viewing_sessions.sessions.minutes_watched"],
                ["popularity_rank"] = ["content.catalogue.titles.title_id", "content.viewing_sessions.sessions.minutes_watched"],
            });

        // SELECT p.plan_id, p.name AS plan_name, count(s.subscriber_id) AS active_subscribers,
        //        round(count(s.subscriber_id) * p.monthly_price_eur, 2) AS monthly_revenue_eur
        // FROM subscriptions.plans.plans AS p LEFT JOIN subscriptions.subscribers.subscribers AS s
        AssertLineage(lineage["subscriptions.monthly-revenue"], "monthly_revenue", MonthlyRevenueSql,
            ["subscriptions.plans.plans", "subscriptions.subscribers.subscribers"],
            new()
            {
                ["plan_id"] = ["subscriptions.plans.plans.plan_id"],
                ["plan_name"] = ["subscriptions.plans.plans.name"],
                ["active_subscribers"] = ["subscriptions.subscribers.subscribers.subscriber_id"],
                ["monthly_revenue_eur"] = ["subscriptions.plans.plans.monthly_price_eur", "subscriptions.subscribers.subscribers.subscriber_id"],
            });
    }

    private static void AssertLineage(JsonElement lineage, string output, string file, string[] sources, Dictionary<string, string[]> columns)
    {
        Assert.Equal(output, lineage.GetProperty("output").GetString());
        Assert.Equal(file, lineage.GetProperty("file").GetString());
        // Each transform is a plain SELECT: it writes no table of its own, the output it computes is its target.
        Assert.Equal(JsonValueKind.Null, lineage.GetProperty("target").ValueKind);
        Assert.Equal(JsonValueKind.Null, lineage.GetProperty("error").ValueKind);
        Assert.Equal(JsonValueKind.Null, lineage.GetProperty("undetermined").ValueKind);
        Assert.Equal(sources, Strings(lineage.GetProperty("sources")).Order());
        var actual = lineage.GetProperty("columns").EnumerateObject().ToDictionary(c => c.Name, c => Strings(c.Value).Order().ToArray());
        Assert.Equal(columns.Keys, actual.Keys);
        foreach (var (column, expected) in columns)
        {
            Assert.True(expected.SequenceEqual(actual[column]), $"{output}.{column}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", actual[column])}]");
        }
    }

    private async Task<((int ExitCode, string Output, string Error) Text, (int ExitCode, string Output, string Error) Json)> ValidateBothWaysAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var text = await MeshProcess.RunAsync(_root, ct, "validate", _mesh);
        var json = await MeshProcess.RunAsync(_root, ct, "validate", _mesh, "--format", "json");
        return (text, json);
    }

    private static List<JsonElement> Findings(string json) =>
        [.. JsonDocument.Parse(json).RootElement.GetProperty("findings").EnumerateArray()];

    private static List<JsonElement> Lineage(string json) =>
        [.. JsonDocument.Parse(json).RootElement.GetProperty("lineage").EnumerateArray()];

    private static (string?, string?, string?, int, int) Position(JsonElement finding) =>
        (finding.GetProperty("policy").GetString(), finding.GetProperty("severity").GetString(), finding.GetProperty("file").GetString(),
            finding.GetProperty("line").GetInt32(), finding.GetProperty("column").GetInt32());

    private static IEnumerable<string> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!);

    private void Edit(string file, string find, string replace)
    {
        var path = Path.Combine(_mesh, file);
        var text = File.ReadAllText(path);
        Assert.Contains(find, text);
        File.WriteAllText(path, text.Replace(find, replace, StringComparison.Ordinal));
    }
}
