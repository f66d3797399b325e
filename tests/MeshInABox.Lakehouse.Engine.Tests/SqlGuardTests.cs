using DuckDB.NET.Data;
using MeshInABox.Domain.Contracts;
using MeshInABox.Iceberg;
using MeshInABox.Iceberg.Writing;
using MeshInABox.Lakehouse.Engine.Ingest;
using MeshInABox.Lakehouse.Engine.Query;
using MeshInABox.Lakehouse.Engine.Tables;
using MeshInABox.MeshRepository.Samples;
using MeshInABox.Testing;

namespace MeshInABox.Lakehouse.Engine.Tests;

/// <summary>The guard in front of DuckDB: names, CTE scopes, introspection, manufactured values and limits.</summary>
public sealed class SqlGuardTests : IDisposable
{
    private static readonly string TitlesCsv = Path.Combine(RepositoryLayout.SampleMesh, "content", "catalogue", "data", "titles.csv");
    private readonly DuckDBConnection _duck = QueryEngine.NewDatabase();
    private readonly string _root = TemporaryDirectory.Create("mesh-guard-");

    public void Dispose()
    {
        _duck.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private CheckedQuery Check(string sql) => SqlGuard.Check(_duck, sql);

    private QueryRejectedException Refused(string sql) => Assert.Throws<QueryRejectedException>(() => Check(sql));

    [Theory]
    [InlineData("WITH t AS (SELECT 1) SELECT * FROM t")]
    [InlineData("WITH a AS (SELECT 1), b AS (SELECT * FROM a) SELECT * FROM b")]
    [InlineData("WITH a AS (SELECT 1) SELECT (SELECT count(*) FROM a), * FROM (SELECT * FROM a) s")]
    [InlineData("WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT * FROM t")]
    [InlineData("WITH a AS (SELECT 1) SELECT * FROM (WITH b AS (SELECT * FROM a) SELECT * FROM b)")]
    [InlineData("WITH T AS (SELECT 1) SELECT * FROM t")]
    public void CteNames_InTheirScope_AreNotProducts(string sql)
    {
        Assert.Empty(Check(sql).Products);
    }

    [Theory]
    [InlineData("SELECT * FROM (WITH \"/etc/passwd\" AS (SELECT 1) SELECT 1), \"/etc/passwd\"")]
    [InlineData("SELECT (WITH x AS (SELECT 1) SELECT * FROM x), * FROM x")]
    [InlineData("WITH a AS (SELECT * FROM b), b AS (SELECT 1) SELECT * FROM a")]
    [InlineData("SELECT * FROM (WITH x AS (SELECT 1) SELECT * FROM x) UNION ALL SELECT * FROM x")]
    [InlineData("WITH x AS (SELECT * FROM x) SELECT * FROM x")]
    public void CteNames_OutsideTheirScope_AreRefused(string sql)
    {
        Assert.Contains("is not a data product", Refused(sql).Message);
    }

    [Fact]
    public async Task QuotedFilePath_OutsideACteScope_IsNeverARawFileRead()
    {
        var sources = new MappedProductSources(new Dictionary<string, Func<ProductSource>>
        {
            ["content.catalogue.titles"] = () => ProductSources.CsvInferred(TitlesCsv),
        });

        // The titles' folder is open to this query's database: without scopes, the quoted path is DuckDB's replacement scan.
        var error = await Assert.ThrowsAsync<QueryRejectedException>(() => QueryEngine.RunAsync(
            $"SELECT * FROM content.catalogue.titles, (WITH \"{TitlesCsv}\" AS (SELECT 1) SELECT 1) s, \"{TitlesCsv}\"",
            sources, QueryLimits.Default, _ => { }, _ => { }, TestContext.Current.CancellationToken));

        Assert.Contains("is not a data product", error.Message);
    }

    [Theory]
    [InlineData("SELECT * FROM (SHOW ALL TABLES)")]
    [InlineData("SHOW TABLES")]
    [InlineData("DESCRIBE content.catalogue.titles")]
    [InlineData("SUMMARIZE content.catalogue.titles")]
    [InlineData("SELECT current_setting('allowed_directories')")]
    [InlineData("SELECT getenv('HOME')")]
    [InlineData("SELECT getvariable('x')")]
    [InlineData("SELECT * FROM duckdb_tables()")]
    [InlineData("SELECT * FROM pragma_database_list()")]
    [InlineData("SELECT duckdb_api()")]
    [InlineData("SELECT pg_get_viewdef('x')")]
    [InlineData("SELECT current_database()")]
    [InlineData("SELECT has_table_privilege('x', 'select')")]
    [InlineData("SELECT json_serialize_plan('SELECT * FROM content.catalogue.titles')")]
    [InlineData("SELECT * FROM query_table('content.catalogue.titles')")]
    public void Introspection_IsRefused(string sql)
    {
        Assert.True(Refused(sql).Forbidden);
    }

    [Theory]
    [InlineData("SELECT length(repeat('x', 2000000000))")]
    [InlineData("SELECT repeat(repeat('x', 1000), 1000000)")]
    [InlineData("SELECT repeat('x', n) FROM (SELECT 5 AS n)")]
    [InlineData("SELECT lpad('x', 2000000000, 'y')")]
    [InlineData("SELECT rpad('x', 1 << 31, 'y')")]
    [InlineData("SELECT range(1000000000)")]
    [InlineData("SELECT unnest(generate_series(1, 9000000000))")]
    [InlineData("SELECT list_resize([1], 1000000000)")]
    [InlineData("SELECT printf('%2000000000d', 1)")]
    [InlineData("SELECT printf('%*d', 2000000000, 1)")]
    [InlineData("SELECT format('{:>2000000000}', 1)")]
    [InlineData("SELECT format('{:>{}}', 1, 2000000000)")]
    [InlineData("SELECT bar(1, 0, 2, 2000000000)")]
    [InlineData("SELECT replace(repeat('x', 100000), 'x', repeat('y', 100000))")]
    [InlineData("SELECT repeat(CAST('x' AS VARCHAR), 2000000000)")]
    public void ValuesLargerThanAQueryMayMake_AreRefused(string sql)
    {
        var error = Refused(sql);

        Assert.True(error.Forbidden, error.Message);
    }

    [Theory]
    [InlineData("SELECT repeat('ab', 1000), lpad('7', 3, '0'), rpad('x', 10, ' ')")]
    [InlineData("SELECT unnest(range(10)), generate_series(1, 100, 10)")]
    [InlineData("SELECT printf('%5d|%-10s', 1, 'x'), format('{:>10}', 'x')")]
    [InlineData("SELECT replace('abc', 'a', 'bb'), list_resize([1, 2], 5)")]
    public void SmallConstantSizes_Pass(string sql)
    {
        Assert.Empty(Check(sql).Products);
    }

    [Fact]
    public async Task RefusedManufacturedValue_KeepsTheProcessUnderItsMemoryLimit()
    {
        Refused("SELECT length(repeat('x', 2000000000))");
        var rows = new List<object?[]>();
        await QueryEngine.RunAsync("SELECT length(repeat('x', 1000000)) AS n", new MappedProductSources(new Dictionary<string, Func<ProductSource>>()),
            QueryLimits.Default, _ => { }, rows.Add, TestContext.Current.CancellationToken);

        // The unguarded query took the process to 4.2 GB (peak resident set); what passes manufactures at most 1 MB per value.
        Assert.Equal(1_000_000L, Convert.ToInt64(rows.Single()[0], System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(PeakResidentBytes(), 0, 1L << 30);
    }

    [Theory]
    [InlineData("content", "catalogue", "titles", "content.catalogue", "titles")]
    [InlineData("content", "viewing-sessions", "sessions", "content.viewing-sessions", "sessions")]
    [InlineData("content", "viewing_sessions", "sessions", "content.viewing-sessions", "sessions")]
    [InlineData("Content", "Viewing_Sessions", "Sessions", "content.viewing-sessions", "sessions")]
    [InlineData("content", "ratings", "title-ratings", "content.ratings", "title-ratings")]
    public void ProductNames_AreThreeIdentifiers_HyphensOrUnderscores(string domain, string product, string table, string productId, string output)
    {
        var reference = ProductNames.Parse(domain, product, table);

        Assert.Equal(productId, reference.ProductId);
        Assert.Equal(output, reference.Output);
    }

    [Theory]
    [InlineData("content", "catalogue", "../../subscriptions/subscribers/subscribers")]
    [InlineData("content", "catalogue", "..")]
    [InlineData("content", "catalogue", "/var/lake/subscriptions/subscribers/subscribers")]
    [InlineData("content", "catalogue/..", "titles")]
    [InlineData("..", "catalogue", "titles")]
    [InlineData("content", "catalogue", "titles\0")]
    [InlineData("content", "catalogue", "ti\"tles")]
    [InlineData("content", "catalogue", "titles\\x")]
    [InlineData("content", "cata__logue", "titles")]
    [InlineData("content", "_catalogue", "titles")]
    [InlineData("content", "catalogue", "")]
    public void ProductNames_ThatAreNotIdentifiers_AreRefused(string domain, string product, string table)
    {
        var error = Assert.Throws<QueryRejectedException>(() => ProductNames.Parse(domain, product, table));

        Assert.False(error.Forbidden || error.Unknown);
    }

    [Fact]
    public void QuotedPathAsTableName_IsRefusedByTheGuard()
    {
        Assert.Contains("is not a data product table's name", Refused("SELECT * FROM content.catalogue.\"../../subscriptions/subscribers/subscribers\"").Message);
        Assert.Equal("content.viewing-sessions", Assert.Single(Check("SELECT * FROM content.\"viewing-sessions\".sessions").Products).ProductId);
    }

    [Fact]
    public void Limits_SizeDepthNulAndParameters_Are400s()
    {
        var deep = "SELECT " + string.Concat(Enumerable.Repeat("(SELECT ", 21)) + "1" + new string(')', 21);
        var deeper = "SELECT " + string.Concat(Enumerable.Repeat("abs(", 150)) + "1" + new string(')', 150);

        Assert.Contains($"more than {SqlGuard.MaxQueryNesting} deep", Refused(deep).Message);
        Assert.Contains($"more than {SqlGuard.MaxTreeDepth} levels deep", Refused(deeper).Message);
        Assert.Contains("at most 100,000 are accepted", Refused("SELECT 1" + new string(' ', SqlGuard.MaxSqlLength)).Message);
        Assert.Contains("NUL character", Refused("SELECT 1 AS \"a\0b\"").Message);
        Assert.Contains("Prepared-statement parameters", Refused("SELECT $1").Message);
        Assert.Contains("Prepared-statement parameters", Refused("SELECT ?").Message);
        Assert.Contains("Prepared-statement parameters", Refused("SELECT $name").Message);
        Assert.All(new[] { deep, deeper, "SELECT $1" }, sql => Assert.False(Refused(sql).Forbidden));
        Assert.Empty(Check("SELECT " + string.Concat(Enumerable.Repeat("(SELECT ", 19)) + "1" + new string(')', 19)).Products);
    }

    [Fact]
    public async Task TimeTravelWithLimit_RunsOverThatSnapshot()
    {
        var csv = Path.Combine(_root, "impressions.csv");
        AdImpressionsGenerator.Write(csv, 50);
        var contract = ContractReader.Read(File.ReadAllText(Path.Combine(RepositoryLayout.SampleMesh, "advertising", "ad-impressions", "contracts", "impressions.odcs.yaml")), "i").Contract;
        var table = LakeTableName.Parse("advertising.ad-impressions.impressions");
        Assert.True(LakeIngest.Run(csv, table, contract, TableWriter.Mode.Append, Path.Combine(_root, "lake"), StorageTemplates.Daily).Committed);
        var directory = table.DirectoryIn(Path.Combine(_root, "lake"));
        var snapshot = IcebergTable.Open(directory).Metadata.CurrentSnapshotId!.Value;
        var rows = new List<object?[]>();

        await QueryEngine.RunAsync($"SELECT * FROM advertising.ad_impressions.impressions AT (VERSION => {snapshot}) LIMIT 3", new Versioned(directory),
            QueryLimits.Default, _ => { }, rows.Add, TestContext.Current.CancellationToken);

        Assert.Equal(3, rows.Count);
    }

    [Fact]
    public void BrokenLakeTable_IsA400()
    {
        var metadata = Path.Combine(_root, "broken", "metadata");
        Directory.CreateDirectory(metadata);
        File.WriteAllText(Path.Combine(metadata, "version-hint.text"), "7");
        File.WriteAllText(Path.Combine(metadata, "v7.metadata.json"), "{\"format-version\": 2, \"schemas\": 12");

        var error = Assert.Throws<QueryRejectedException>(() => ProductSources.Iceberg(Path.Combine(_root, "broken")));

        Assert.Contains("not readable", error.Message);
    }

    [Fact]
    public async Task RandomAndHostileSql_IsRefusedOrRun_NeverAnotherError()
    {
        var sources = new MappedProductSources(new Dictionary<string, Func<ProductSource>>
        {
            ["content.catalogue.titles"] = () => ProductSources.CsvInferred(TitlesCsv),
        });
        var limits = new QueryLimits(TimeSpan.FromSeconds(5), 1_000);
        var unexpected = new List<string>();
        foreach (var sql in HostileSql.Generate(new Random(42), 500).Concat(HostileSql.Generate(new Random(20261201), 300)))
        {
            try
            {
                await QueryEngine.RunAsync(sql, sources, limits, _ => { }, _ => { }, TestContext.Current.CancellationToken);
            }
            catch (QueryRejectedException)
            {
            }
            catch (Exception error)
            {
                unexpected.Add($"{error.GetType().Name}: {error.Message} for {Domain.Naming.MeshNames.Quote(sql)}");
            }
        }

        Assert.Empty(unexpected);
    }

    private static long PeakResidentBytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>One lakehouse table, at whatever version a reference asks for.</summary>
    private sealed class Versioned(string directory) : IProductSources
    {
        public Task<IReadOnlyDictionary<ProductReference, ResolvedProduct>> ResolveAsync(IReadOnlyList<ProductReference> references, string? subject, CancellationToken ct) =>
            Task.FromResult<IReadOnlyDictionary<ProductReference, ResolvedProduct>>(references.ToDictionary(
                r => r, r => new ResolvedProduct(r.ProductId, r.Output, ProductSources.Iceberg(directory, r.At))));
    }
}
