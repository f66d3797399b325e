using System.Net;
using System.Text;
using System.Text.Json;
using MeshInABox.Domain.Access;
using MeshInABox.Domain.Contracts;
using MeshInABox.Iceberg.Writing;
using MeshInABox.Lakehouse.Engine.Ingest;
using MeshInABox.Lakehouse.Engine.Tables;
using MeshInABox.MeshRepository.Samples;
using MeshInABox.Testing;
using Npgsql;

namespace MeshInABox.Lakehouse.Tests;

/// <summary>One running mesh with hostile locators and a restricted product, shared by the sandbox tests (each reads only its own products).</summary>
public sealed class SandboxMesh(PostgresServerFixture postgres) : IAsyncLifetime
{
    private readonly string _work = TemporaryDirectory.Create("mesh-sandbox-");

    public RunningMesh Mesh { get; private set; } = null!;

    public string SubscribersTable => LakeTableName.Parse("subscriptions.subscribers.subscribers").DirectoryIn(Mesh.LakeRoot);

    public async ValueTask InitializeAsync()
    {
        Mesh = await RunningMesh.StartAsync(postgres, nameof(QuerySandboxTests));
        var csv = Path.Combine(_work, "impressions.csv");
        AdImpressionsGenerator.Write(csv, 100);
        var contract = ContractReader.Read(
            File.ReadAllText(Path.Combine(RepositoryLayout.SampleMesh, "advertising", "ad-impressions", "contracts", "impressions.odcs.yaml")), "impressions").Contract;
        Assert.True(LakeIngest.Run(csv, LakeTableName.Parse("subscriptions.subscribers.subscribers"), contract, TableWriter.Mode.Append, Mesh.LakeRoot, StorageTemplates.Daily).Committed);
        await Mesh.RegisterAsync("subscriptions.subscribers", "subscribers", "lakehouse", new { storageTemplate = "lakehouse-daily" }, classification: "restricted");
        await Mesh.RegisterAsync("content.catalogue", "titles", "csv", new { path = Path.Combine(RepositoryLayout.SampleMesh, "content", "catalogue", "data", "titles.csv") });
        await Mesh.RegisterAsync("content.viewing-sessions", "sessions", "csv", new { path = Path.Combine(RepositoryLayout.SampleMesh, "content", "viewing-sessions", "data", "sessions.csv") });

        // Locators as an attacker (or a registry before it checked locations) would write them.
        await Mesh.RegisterAsync("content.passwd", "users", "csv", new { path = "/etc/passwd" }, @unchecked: true);
        await Mesh.RegisterAsync("content.sneaky", "titles", "csv",
            new { path = Path.Combine(RepositoryLayout.SampleMesh, "content", "sneaky", "..", "catalogue", "data", "titles.csv") }, @unchecked: true);
        await Mesh.RegisterAsync("content.authid", "roles", "postgres", new { schema = "pg_catalog", table = "pg_authid" }, @unchecked: true);
        await Mesh.RegisterAsync("content.elsewhere", "rows", "postgres",
            new { database = "postgres", schema = "content__elsewhere", table = "rows" }, @unchecked: true);

        await Mesh.CreateProductTableAsync("content.granted", "rows", "CREATE TABLE rows AS SELECT n FROM generate_series(1, 5) AS n");
        await Mesh.RegisterAsync("content.granted", "rows", "postgres", Mesh.PostgresLocation("content.granted", "rows"));
        await Mesh.CreateProductTableAsync("content.ungranted", "rows", "CREATE TABLE rows AS SELECT n FROM generate_series(1, 5) AS n", grant: false);
        await Mesh.RegisterAsync("content.ungranted", "rows", "postgres", Mesh.PostgresLocation("content.ungranted", "rows"));

        // A folder that looks like a lakehouse table (it has metadata/) but is not one.
        var broken = Path.Combine(Mesh.LakeRoot, "content", "broken", "events", "metadata");
        Directory.CreateDirectory(broken);
        await File.WriteAllTextAsync(Path.Combine(broken, "version-hint.text"), "not a number");
        await Mesh.RegisterAsync("content.broken", "events", "lakehouse", new { storageTemplate = "lakehouse-daily" });
    }

    public async ValueTask DisposeAsync()
    {
        await Mesh.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }
}

/// <summary>POST /query against hostile SQL, names, locators and tokens: every refusal is a 4xx (or 503), never a read, never a 500.</summary>
public sealed class QuerySandboxTests(SandboxMesh fixture) : IClassFixture<SandboxMesh>
{
    private RunningMesh Mesh => fixture.Mesh;

    [Fact]
    public async Task CsvLocationOutsideTheProductFolder_IsRefused()
    {
        await AssertRefusedAsync("SELECT * FROM content.passwd.users", HttpStatusCode.Forbidden, "product's own folder of a mesh repository");
        await AssertRefusedAsync("SELECT * FROM content.sneaky.titles", HttpStatusCode.Forbidden, "product's own folder of a mesh repository");
    }

    [Fact]
    public async Task PostgresLocationOutsideTheProductSchemaOrMeshDatabase_IsRefused()
    {
        await AssertRefusedAsync("SELECT * FROM content.authid.roles", HttpStatusCode.Forbidden, "its own schema, 'content__authid'");
        await AssertRefusedAsync("SELECT * FROM content.elsewhere.rows", HttpStatusCode.Forbidden, "PostgreSQL products live in the mesh database");
    }

    [Fact]
    public async Task PostgresTableNotGrantedToTheReaderRole_IsRefused_AGrantedOneIsRead()
    {
        await AssertRefusedAsync("SELECT * FROM content.ungranted.rows", HttpStatusCode.Forbidden, "not readable by the lakehouse service's role mesh_product_reader");

        Assert.Equal(15, (await QueryAsync("SELECT sum(n) AS total FROM content.granted.rows"))[0].GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData("SELECT * FROM content.catalogue.\"../../subscriptions/subscribers/subscribers\"")]
    [InlineData("SELECT * FROM content.catalogue.\"..\"")]
    [InlineData("SELECT * FROM content.\"catalogue/../../subscriptions/subscribers\".subscribers")]
    [InlineData("SELECT * FROM \"content/..\".catalogue.titles")]
    [InlineData("SELECT * FROM content.catalogue.\"titles/\"")]
    [InlineData("SELECT * FROM content.catalogue.\"ti\"\"tles\"")]
    [InlineData("SELECT * FROM content.catalogue.\"titles\u0001\"")]
    public async Task TableNameThatIsNotThreeIdentifiers_IsRefused(string sql)
    {
        await AssertRefusedAsync(sql, HttpStatusCode.BadRequest, "is not a data product table's name");
    }

    [Fact]
    public async Task AbsolutePathAsTableName_IsRefused_NotReadWithoutAGrant()
    {
        await AssertRefusedAsync($"SELECT * FROM content.catalogue.\"{fixture.SubscribersTable}\"", HttpStatusCode.BadRequest, "is not a data product table's name");
        await AssertRefusedAsync($"SELECT * FROM \"{fixture.SubscribersTable}/data\"", HttpStatusCode.BadRequest, "is not a data product");
    }

    [Fact]
    public async Task TableThatIsNotAnOutputOfTheProduct_IsUnknown()
    {
        await AssertRefusedAsync("SELECT * FROM content.catalogue.subscribers", HttpStatusCode.NotFound, "No data product table 'content.catalogue.subscribers'");
    }

    [Fact]
    public async Task HyphenatedProduct_IsNamedWithHyphensOrUnderscores_AndUsageNamesTheProduct()
    {
        var quoted = await QueryAsync("SELECT count(*) AS n FROM content.\"viewing-sessions\".sessions");
        var underscored = await QueryAsync("SELECT count(*) AS n FROM content.viewing_sessions.sessions");

        Assert.True(quoted[0].GetProperty("n").GetInt32() > 0);
        Assert.Equal(quoted[0].GetProperty("n").GetInt32(), underscored[0].GetProperty("n").GetInt32());
        Assert.Equal("content.viewing-sessions:sessions", await WaitForAsync(
            "SELECT string_agg(DISTINCT product_id || ':' || output, ',') FROM lakehouse.product_reads WHERE product_id LIKE 'content.viewing%' HAVING count(*) >= 2"));
    }

    [Theory]
    [InlineData("SELECT count(*) FROM content.viewing-sessions.sessions", "\"content\".\"viewing-sessions\".\"sessions\"", "content.viewing_sessions.sessions")]
    [InlineData("SELECT '😀é' AS x, count(*) FROM content.catalogue.titles t JOIN content.viewing-sessions.sessions s USING (title_id)",
        "\"content\".\"viewing-sessions\".\"sessions\"", "content.viewing_sessions.sessions")]
    [InlineData("SELECT * FROM ad-tech.ad-impressions.impressions", "\"ad-tech\".\"ad-impressions\".\"impressions\"", "ad_tech.ad_impressions.impressions")]
    public async Task HyphenatedNameUnquoted_Is400_SayingHowToWriteIt(string sql, string quoted, string underscored)
    {
        using var response = await PostAsync(sql);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, TestContext.Current.CancellationToken);
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.StartsWith("SQL parser error: syntax error at or near \"-\"", detail);
        Assert.Contains($"must be quoted ({quoted}) or written with underscores ({underscored})", detail);
    }

    [Theory]
    [InlineData("SELECT * FRM content.catalogue.titles")]
    [InlineData("SELECT * FROM content.catalogue.titles WHERE")]
    [InlineData("SELECT * FROM content.viewing - sessions.sessions")]
    [InlineData("SELECT 'content.viewing-sessions.sessions' FROM")]
    [InlineData("SELECT * FROM content.catalogue.titles WHERE year > 1-")]
    public async Task OtherSyntaxErrors_Are400_WithoutTheHyphenHint(string sql)
    {
        using var response = await PostAsync(sql);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, TestContext.Current.CancellationToken);
        Assert.StartsWith("SQL parser error: syntax error", problem.GetProperty("detail").GetString());
        Assert.DoesNotContain("hyphens", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task HintedForms_BothReadTheHyphenatedCsvProduct()
    {
        using var refused = await PostAsync("SELECT count(*) AS n FROM content.viewing-sessions.sessions");
        var detail = (await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.BadRequest, TestContext.Current.CancellationToken)).GetProperty("detail").GetString()!;

        var quoted = await QueryAsync("SELECT count(*) AS n FROM \"content\".\"viewing-sessions\".\"sessions\"");
        var underscored = await QueryAsync("SELECT count(*) AS n FROM content.viewing_sessions.sessions");

        Assert.Contains("(\"content\".\"viewing-sessions\".\"sessions\")", detail);
        Assert.Contains("(content.viewing_sessions.sessions)", detail);
        Assert.True(quoted[0].GetProperty("n").GetInt32() > 0);
        Assert.Equal(quoted[0].GetProperty("n").GetInt32(), underscored[0].GetProperty("n").GetInt32());
    }

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("alice/..")]
    public async Task TokenWhoseSubBreaksTheSubjectRule_IsRefused(string subject)
    {
        using var client = Mesh.Client("lakehouse", Mesh.Token(subject, [MeshAccess.AnyDomain]));

        using var response = await PostAsync("SELECT count(*) FROM subscriptions.subscribers.subscribers", client);

        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, body);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("is not a subject", body);
    }

    [Fact]
    public async Task RestrictedProduct_NeedsAGrantForExactlyThatSubject()
    {
        await AssertRefusedAsync("SELECT count(*) FROM subscriptions.subscribers.subscribers", HttpStatusCode.Forbidden, "is restricted");
        using var grant = await Mesh.Registry.PutAsync(new Uri("/data-products/subscriptions.subscribers/grants/analyst-bob", UriKind.Relative), null, TestContext.Current.CancellationToken);
        Assert.True(grant.IsSuccessStatusCode);

        using var bob = Mesh.Client("lakehouse", Mesh.Token("analyst-bob", []));
        using var eve = Mesh.Client("lakehouse", Mesh.Token("analyst-bob.eve", []));
        Assert.Equal(100, (await QueryAsync("SELECT count(*) AS n FROM subscriptions.subscribers.subscribers", bob))[0].GetProperty("n").GetInt32());
        using var refused = await PostAsync("SELECT count(*) FROM subscriptions.subscribers.subscribers", eve);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Theory]
    [InlineData("SELECT * FROM (SHOW ALL TABLES)", "SHOW, DESCRIBE and SUMMARIZE are not allowed")]
    [InlineData("SELECT current_setting('allowed_directories')", "Function 'current_setting' is not allowed")]
    [InlineData("SELECT getenv('HOME')", "Function 'getenv' is not allowed")]
    [InlineData("SELECT * FROM duckdb_views()", "Table function 'duckdb_views' is not allowed")]
    [InlineData("DESCRIBE content.catalogue.titles", "SHOW, DESCRIBE and SUMMARIZE are not allowed")]
    [InlineData("SUMMARIZE content.catalogue.titles", "SHOW, DESCRIBE and SUMMARIZE are not allowed")]
    [InlineData("SELECT length(repeat('x', 2000000000))", "one value may be at most 1 MB")]
    [InlineData("SELECT * FROM (WITH \"/etc/passwd\" AS (SELECT 1) SELECT 1), \"/etc/passwd\"", "is not a data product")]
    public async Task IntrospectionHugeValuesAndFileReads_AreRefused(string sql, string message)
    {
        await AssertRefusedAsync(sql, HttpStatusCode.Forbidden, message, orBadRequest: true);
    }

    [Fact]
    public async Task MalformedQueries_Are400s_NotServerErrors()
    {
        var deep = "SELECT " + string.Concat(Enumerable.Repeat("(SELECT ", 21)) + "1" + new string(')', 21);
        var deeper = "SELECT " + string.Concat(Enumerable.Repeat("abs(", 150)) + "1" + new string(')', 150);
        await AssertRefusedAsync(deep, HttpStatusCode.BadRequest, "more than 20 deep");
        await AssertRefusedAsync(deeper, HttpStatusCode.BadRequest, "nests too deeply");
        await AssertRefusedAsync("SELECT $1", HttpStatusCode.BadRequest, "Prepared-statement parameters");
        await AssertRefusedAsync("SELECT 1 AS \"a\0b\"", HttpStatusCode.BadRequest, "NUL character");
        await AssertRefusedAsync("SELECT 1 -- \0", HttpStatusCode.BadRequest, "NUL character");
        await AssertRefusedAsync("SELECT 1 " + new string(' ', 100_001), HttpStatusCode.BadRequest, "at most 100,000 are accepted");
        await AssertRefusedAsync("SELECT * FROM content.broken.events", HttpStatusCode.BadRequest, "not readable");
    }

    [Fact]
    public async Task TimeTravelWithLimit_Runs()
    {
        var snapshot = Iceberg.IcebergTable.Open(fixture.SubscribersTable).Metadata.CurrentSnapshotId!.Value;
        using var bob = Mesh.Client("lakehouse", Mesh.Token("analyst-tt", []));
        using var grant = await Mesh.Registry.PutAsync(new Uri("/data-products/subscriptions.subscribers/grants/analyst-tt", UriKind.Relative), null, TestContext.Current.CancellationToken);
        Assert.True(grant.IsSuccessStatusCode);

        var rows = await QueryAsync($"SELECT * FROM subscriptions.subscribers.subscribers AT (VERSION => {snapshot}) LIMIT 3", bob);

        Assert.Equal(3, rows.Count);
    }

    [Fact]
    public async Task RandomAndHostileSql_IsNeverAServerError_AndTheServiceStaysHealthy()
    {
        var ct = TestContext.Current.CancellationToken;
        var random = new Random(20261201);
        var failures = new List<string>();
        foreach (var sql in HostileSql.Generate(random, 300))
        {
            using var response = await PostAsync(sql);
            if ((int)response.StatusCode >= 500 && response.StatusCode != HttpStatusCode.ServiceUnavailable)
            {
                failures.Add($"{(int)response.StatusCode} for {MeshInABox.Domain.Naming.MeshNames.Quote(sql)}: {await response.Content.ReadAsStringAsync(ct)}");
            }
        }

        Assert.Empty(failures);
        using var health = await Mesh.Lakehouse.GetAsync(new Uri("/health", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task CallerOverItsConcurrentQueries_Gets429WithRetryAfter_OtherCallersAreServed()
    {
        var ct = TestContext.Current.CancellationToken;
        using var greedy = Mesh.Client("lakehouse", Mesh.Token("greedy", []));
        using var patient = Mesh.Client("lakehouse", Mesh.Token("patient", []));
        // Streams rows at once and for long: a response whose body is not read keeps its query (and its permit) running.
        const string Endless = "SELECT * FROM content.catalogue.titles a, content.catalogue.titles b, content.catalogue.titles c, content.catalogue.titles d";
        var running = new List<HttpResponseMessage>();
        try
        {
            for (var i = 0; i < new LakehouseOptions().MaxConcurrentQueriesPerCaller; i++)
            {
                running.Add(await greedy.SendAsync(QueryMessage(Endless), HttpCompletionOption.ResponseHeadersRead, ct));
                Assert.Equal(HttpStatusCode.OK, running[^1].StatusCode);
            }

            using var refused = await greedy.SendAsync(QueryMessage("SELECT 1 AS n"), ct);
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
            Assert.Equal(1, (await QueryAsync("SELECT 1 AS n", patient))[0].GetProperty("n").GetInt32());
        }
        finally
        {
            running.ForEach(r => r.Dispose());
        }

        // A client that goes away cancels its queries and gives their permits back.
        var served = HttpStatusCode.TooManyRequests;
        for (var i = 0; i < 100 && served == HttpStatusCode.TooManyRequests; i++)
        {
            using var again = await greedy.SendAsync(QueryMessage("SELECT 1 AS n"), ct);
            served = again.StatusCode;
            await Task.Delay(served == HttpStatusCode.TooManyRequests ? 100 : 0, ct);
        }

        Assert.Equal(HttpStatusCode.OK, served);
    }

    private static HttpRequestMessage QueryMessage(string sql) => new(HttpMethod.Post, new Uri("/query", UriKind.Relative))
    {
        Content = new StringContent(JsonSerializer.Serialize(new { sql }), Encoding.UTF8, "application/json"),
    };

    private async Task AssertRefusedAsync(string sql, HttpStatusCode status, string message, bool orBadRequest = false)
    {
        using var response = await PostAsync(sql);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == status || orBadRequest && response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(message, body);
    }

    private Task<HttpResponseMessage> PostAsync(string sql, HttpClient? client = null) =>
        (client ?? Mesh.Lakehouse).PostAsync(
            new Uri("/query", UriKind.Relative),
            new StringContent(JsonSerializer.Serialize(new { sql }), Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);

    private async Task<List<JsonElement>> QueryAsync(string sql, HttpClient? client = null)
    {
        using var response = await PostAsync(sql, client);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return [.. body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone())];
    }

    private async Task<string?> WaitForAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Mesh.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        for (var attempt = 0; attempt < 100; attempt++)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            if (await command.ExecuteScalarAsync(TestContext.Current.CancellationToken) is string value)
            {
                return value;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        return null;
    }
}
