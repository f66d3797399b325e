using MeshInABox.Domain.Contracts;
using MeshInABox.Iceberg.Writing;
using MeshInABox.Lakehouse.Engine.Ingest;
using MeshInABox.Lakehouse.Engine.Query;
using MeshInABox.Lakehouse.Engine.Tables;
using MeshInABox.MeshRepository.Samples;
using MeshInABox.Testing;

namespace MeshInABox.Lakehouse.Engine.Tests;

public sealed class QueryEngineTests : IDisposable
{
    private readonly string _root = TemporaryDirectory.Create("mesh-query-");
    private readonly MappedProductSources _sources;

    public QueryEngineTests()
    {
        var mesh = RepositoryLayout.SampleMesh;
        var csv = Path.Combine(_root, "impressions.csv");
        AdImpressionsGenerator.Write(csv, 3_000);
        var impressions = ContractReader.Read(File.ReadAllText(Path.Combine(mesh, "advertising", "ad-impressions", "contracts", "impressions.odcs.yaml")), "i").Contract;
        var table = LakeTableName.Parse("advertising.ad-impressions.impressions");
        Assert.True(LakeIngest.Run(csv, table, impressions, TableWriter.Mode.Append, Path.Combine(_root, "lake"), StorageTemplates.Daily).Committed);
        var titles = ContractReader.Read(File.ReadAllText(Path.Combine(mesh, "content", "catalogue", "contracts", "titles.odcs.yaml")), "t").Contract;

        _sources = new MappedProductSources(new Dictionary<string, Func<ProductSource>>
        {
            ["advertising.ad_impressions.impressions"] = () => ProductSources.Iceberg(table.DirectoryIn(Path.Combine(_root, "lake"))),
            ["content.catalogue.titles"] = () => ProductSources.Csv(Path.Combine(mesh, "content", "catalogue", "data", "titles.csv"), titles.Schema[0]),
        });
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private async Task<(List<string> Columns, List<object?[]> Rows, QueryEngine.Outcome Outcome)> RunAsync(string sql, QueryLimits? limits = null)
    {
        var columns = new List<string>();
        var rows = new List<object?[]>();
        var outcome = await QueryEngine.RunAsync(sql, _sources, limits ?? QueryLimits.Default, c => columns.AddRange(c.Select(x => x.Name)), rows.Add, TestContext.Current.CancellationToken);
        return (columns, rows, outcome);
    }

    [Fact]
    public async Task Join_IcebergAndCsvProducts_ReturnsTheRightRows()
    {
        var (columns, rows, outcome) = await RunAsync("""
            SELECT t.genre, count(*) AS impressions, round(sum(i.cost_eur), 4) AS spend
            FROM advertising.ad_impressions.impressions AS i
            JOIN content.catalogue.titles AS t ON t.title_id = i.title_id
            GROUP BY t.genre ORDER BY t.genre
            """);

        Assert.Equal(["genre", "impressions", "spend"], columns);
        Assert.Equal(3_000, rows.Sum(r => Convert.ToInt64(r[1], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(["advertising.ad_impressions.impressions", "content.catalogue.titles"], outcome.Products.Select(p => p.ToString()).Order());
    }

    [Theory]
    [InlineData("SELECT * FROM read_csv('/etc/passwd')", "Table function 'read_csv' is not allowed")]
    [InlineData("SELECT * FROM read_text('/etc/passwd')", "Table function 'read_text' is not allowed")]
    [InlineData("SELECT * FROM read_parquet('/tmp/x.parquet')", "Table function 'read_parquet' is not allowed")]
    [InlineData("SELECT * FROM duckdb_settings()", "Table function 'duckdb_settings' is not allowed")]
    [InlineData("COPY (SELECT 1) TO '/tmp/out.csv'", "Only SELECT queries are allowed")]
    [InlineData("ATTACH '/tmp/other.db'", "Only SELECT queries are allowed")]
    [InlineData("INSTALL httpfs", "Only SELECT queries are allowed")]
    [InlineData("LOAD httpfs", "Only SELECT queries are allowed")]
    [InlineData("SET memory_limit = '100GB'", "Only SELECT queries are allowed")]
    [InlineData("PRAGMA database_list", "Only SELECT queries are allowed")]
    [InlineData("CREATE TABLE x AS SELECT 1", "Only SELECT queries are allowed")]
    [InlineData("DELETE FROM content.catalogue.titles", "Only SELECT queries are allowed")]
    [InlineData("SELECT 1; SELECT 2", "one statement per query")]
    public async Task SandboxEscapes_AreRefused(string sql, string message)
    {
        var error = await Assert.ThrowsAsync<QueryRejectedException>(() => RunAsync(sql));

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public async Task SyntaxError_NamesThePosition_AndUnknownProductsGetSuggestions()
    {
        var syntax = await Assert.ThrowsAsync<QueryRejectedException>(() => RunAsync("SELECT title FRM content.catalogue.titles"));
        var unknown = await Assert.ThrowsAsync<QueryRejectedException>(() => RunAsync("SELECT * FROM content.catalog.titles"));
        var unqualified = await Assert.ThrowsAsync<QueryRejectedException>(() => RunAsync("SELECT * FROM titles"));

        Assert.Contains("syntax error", syntax.Message);
        Assert.NotNull(syntax.Position);
        Assert.Contains("Did you mean content.catalogue.titles?", unknown.Message);
        Assert.Equal(14, unknown.Position);
        Assert.Contains("name tables as domain.product.table", unqualified.Message);
    }

    [Fact]
    public async Task RowLimit_TruncatesAndSaysSo_AndCtesAreNotProducts()
    {
        var (_, rows, outcome) = await RunAsync("WITH t AS (SELECT * FROM content.catalogue.titles) SELECT title_id FROM t", new QueryLimits(TimeSpan.FromSeconds(30), 10));

        Assert.Equal(10, rows.Count);
        Assert.True(outcome.Truncated);
        Assert.Equal(["content.catalogue.titles"], outcome.Products.Select(p => p.ToString()));
    }

    [Fact]
    public async Task Timeout_StopsALongQuery()
    {
        var error = await Assert.ThrowsAsync<QueryRejectedException>(() => RunAsync(
            "SELECT count(*) FROM content.catalogue.titles a, content.catalogue.titles b, content.catalogue.titles c, content.catalogue.titles d, content.catalogue.titles e",
            new QueryLimits(TimeSpan.FromMilliseconds(300), 10)));

        Assert.Contains("ran longer than", error.Message);
    }

    [Fact]
    public async Task ConcurrentQueriesDuringIngest_SeeTheOldOrTheNewSnapshot_NeverAMix()
    {
        var ct = TestContext.Current.CancellationToken;
        var impressions = ContractReader.Read(File.ReadAllText(Path.Combine(RepositoryLayout.SampleMesh, "advertising", "ad-impressions", "contracts", "impressions.odcs.yaml")), "i").Contract;
        var table = LakeTableName.Parse("advertising.ad-impressions.impressions");
        var batch = Path.Combine(_root, "batch.csv");
        AdImpressionsGenerator.Write(batch, 4_000);
        var seen = new System.Collections.Concurrent.ConcurrentBag<long>();
        using var stop = new CancellationTokenSource();

        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var (_, rows, _) = await RunAsync("SELECT count(*) FROM advertising.ad_impressions.impressions");
                seen.Add(Convert.ToInt64(rows[0][0], System.Globalization.CultureInfo.InvariantCulture));
            }
        }, ct)).ToList();
        for (var i = 0; i < 3; i++)
        {
            Assert.True(LakeIngest.Run(batch, table, impressions, TableWriter.Mode.Overwrite, Path.Combine(_root, "lake")).Committed);
            Assert.True(LakeIngest.Run(csv(3_000), table, impressions, TableWriter.Mode.Overwrite, Path.Combine(_root, "lake")).Committed);
        }

        await stop.CancelAsync();
        await Task.WhenAll(readers);

        Assert.NotEmpty(seen);
        Assert.All(seen, count => Assert.Contains(count, new long[] { 3_000, 4_000 }));

        string csv(int rows)
        {
            var path = Path.Combine(_root, $"b{rows}.csv");
            if (!File.Exists(path))
            {
                AdImpressionsGenerator.Write(path, rows);
            }

            return path;
        }
    }
}
