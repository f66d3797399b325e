using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MeshInABox.Domain.Access;
using MeshInABox.Domain.Contracts;
using MeshInABox.Iceberg.Writing;
using MeshInABox.Lakehouse.Engine.Ingest;
using MeshInABox.Lakehouse.Engine.Tables;
using MeshInABox.MeshRepository.Samples;
using MeshInABox.Testing;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace MeshInABox.Lakehouse.Tests;

/// <summary>
/// One running mesh for the query endpoint tests, with an Iceberg, a CSV and a PostgreSQL product that every test
/// only reads; a test that writes, or counts what was read, has products of its own.
/// </summary>
public sealed class QueryMesh(PostgresServerFixture postgres) : IAsyncLifetime
{
    public const int Impressions = 3_000;

    public string Work { get; } = TemporaryDirectory.Create("mesh-querysvc-");

    public RunningMesh Mesh { get; private set; } = null!;

    /// <summary>The impressions every lakehouse table here starts with.</summary>
    public string ImpressionsCsv => Path.Combine(Work, "impressions.csv");

    public static DataContract ImpressionsContract => ContractReader.Read(
        File.ReadAllText(Path.Combine(RepositoryLayout.SampleMesh, "advertising", "ad-impressions", "contracts", "impressions.odcs.yaml")), "impressions").Contract;

    public async ValueTask InitializeAsync()
    {
        Mesh = await RunningMesh.StartAsync(postgres, nameof(QueryEndpointTests));
        AdImpressionsGenerator.Write(ImpressionsCsv, Impressions);
        await LakeTableAsync("advertising.ad-impressions");
        await Mesh.RegisterAsync("content.catalogue", "titles", "csv", new { path = QueryEndpointTests.Titles });
        await RatingsAsync("content.ratings", "title_ratings", "title-ratings");
    }

    /// <summary>A lakehouse product whose table <c>impressions</c> holds <see cref="ImpressionsCsv"/>, registered.</summary>
    public async Task<LakeTableName> LakeTableAsync(string productId, TimeProvider? time = null)
    {
        var table = LakeTableName.Parse($"{productId}.impressions");
        Assert.True(LakeIngest.Run(ImpressionsCsv, table, ImpressionsContract, TableWriter.Mode.Append, Mesh.LakeRoot, StorageTemplates.Daily, time: time).Committed);
        await Mesh.RegisterAsync(productId, "impressions", "lakehouse", new { storageTemplate = "lakehouse-daily" });
        return table;
    }

    /// <summary>A PostgreSQL product of 60 title ratings (tt0001 to tt0060), registered.</summary>
    public async Task RatingsAsync(string productId, string table, string output)
    {
        await Mesh.CreateProductTableAsync(productId, table, $"""
            CREATE TABLE {table} (title_id text PRIMARY KEY, rating numeric(3,1) NOT NULL, votes int, rated_at timestamptz, note text);
            INSERT INTO {table}
            SELECT 'tt' || lpad(n::text, 4, '0'), (n % 50) / 10.0 + 5, n * 10, TIMESTAMPTZ '2026-03-01 12:00:00+00' + n * INTERVAL '1 hour', CASE WHEN n = 1 THEN 'first, "quoted"' END
            FROM generate_series(1, 60) AS n
            """);
        await Mesh.RegisterAsync(productId, output, "postgres", Mesh.PostgresLocation(productId, table));
    }

    public async ValueTask DisposeAsync()
    {
        await Mesh.DisposeAsync();
        Directory.Delete(Work, recursive: true);
    }
}

/// <summary>POST /query on a running mesh: products in CSV files, Iceberg tables and PostgreSQL, found through the registry.</summary>
public sealed class QueryEndpointTests(QueryMesh fixture) : IClassFixture<QueryMesh>
{
    private const int Impressions = QueryMesh.Impressions;
    private const string ArrowStream = "application/vnd.apache.arrow.stream";

    private RunningMesh Mesh => fixture.Mesh;

    internal static string Titles => Path.Combine(RepositoryLayout.SampleMesh, "content", "catalogue", "data", "titles.csv");

    private static DataContract ImpressionsContract => QueryMesh.ImpressionsContract;

    [Fact]
    public async Task Join_CsvIcebergAndPostgresProducts_ReturnsTheRightRows()
    {
        var rows = await QueryAsync("""
            SELECT t.genre, count(*) AS impressions, round(avg(r.rating), 6) AS rating
            FROM advertising.ad_impressions.impressions AS i
            JOIN content.catalogue.titles AS t ON t.title_id = i.title_id
            JOIN content.ratings.title_ratings AS r ON r.title_id = i.title_id
            GROUP BY t.genre ORDER BY t.genre
            """);

        // The same join computed here from the files and the rows inserted above.
        var genres = File.ReadLines(Titles).Skip(1).Select(l => l.Split(',')).ToDictionary(f => f[0], f => f[3]);
        var expected = File.ReadLines(fixture.ImpressionsCsv).Skip(1).Select(l => l.Split(',')[3])
            .Select(title => (Title: title, Number: int.Parse(title[2..], CultureInfo.InvariantCulture)))
            .Where(t => t.Number <= 60 && genres.ContainsKey(t.Title))
            .GroupBy(t => genres[t.Title])
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Genre: g.Key, Count: g.Count(), Rating: Math.Round(g.Average(t => (t.Number % 50) / 10.0 + 5), 6)))
            .ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Select(e => e.Genre), rows.Select(r => r.GetProperty("genre").GetString()));
        Assert.Equal(expected.Select(e => e.Count), rows.Select(r => r.GetProperty("impressions").GetInt32()));
        Assert.Equal(expected.Select(e => e.Rating), rows.Select(r => Math.Round(r.GetProperty("rating").GetDouble(), 6)));
    }

    [Fact]
    public async Task PostgresProduct_KeepsItsTypes()
    {
        var rows = await QueryAsync("""
            SELECT *, typeof(rating) AS rating_type, typeof(rated_at) AS rated_at_type, typeof(votes) AS votes_type
            FROM content.ratings.title_ratings WHERE title_id IN ('tt0001', 'tt0002') ORDER BY title_id
            """);

        Assert.Equal(2, rows.Count);
        Assert.Equal("DECIMAL(3,1)", rows[0].GetProperty("rating_type").GetString());
        Assert.Equal("TIMESTAMP WITH TIME ZONE", rows[0].GetProperty("rated_at_type").GetString());
        Assert.Equal("INTEGER", rows[0].GetProperty("votes_type").GetString());
        Assert.Equal(5.1m, rows[0].GetProperty("rating").GetDecimal());
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 13, 0, 0, TimeSpan.Zero), rows[0].GetProperty("rated_at").GetDateTimeOffset());
        Assert.Equal("first, \"quoted\"", rows[0].GetProperty("note").GetString());
        Assert.Equal(JsonValueKind.Null, rows[1].GetProperty("note").ValueKind);
    }

    [Fact]
    public async Task PostgresProduct_WhoseTableIsGone_IsAClearError()
    {
        await Mesh.RegisterAsync("content.old-ratings", "ratings", "postgres", Mesh.PostgresLocation("content.old-ratings", "dropped_long_ago"));

        using var response = await PostAsync("SELECT * FROM content.old_ratings.ratings");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("dropped_long_ago does not exist", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ClientDisconnectingMidStream_FreesTheQuery()
    {
        var ct = TestContext.Current.CancellationToken;
        await Mesh.CreateProductTableAsync("content.big", "big", "CREATE TABLE big AS SELECT n, md5(n::text) AS digest FROM generate_series(1, 2000000) AS n");
        await Mesh.RegisterAsync("content.big", "rows", "postgres", Mesh.PostgresLocation("content.big", "big"));

        using (var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/query", UriKind.Relative)) { Content = JsonContent.Create(new { sql = "SELECT * FROM content.big.rows" }) })
        using (var response = await Mesh.Lakehouse.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var body = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
            for (var i = 0; i < 10; i++)
            {
                Assert.NotNull(await body.ReadLineAsync(ct));
            }

            // Rows wait for the client: the COPY behind them is still running.
            Assert.Equal(1, await CopiesRunningAsync());
        }

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await CopiesRunningAsync() > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, ct);
        }

        Assert.Equal(0, await CopiesRunningAsync());
        Assert.Equal("cancelled", await WaitForAsync("SELECT outcome FROM lakehouse.queries WHERE sql = 'SELECT * FROM content.big.rows'"));
    }

    [Fact]
    public async Task EveryQuery_IsRecorded_WhoReadWhichProductsAndWhen()
    {
        var ct = TestContext.Current.CancellationToken;
        // Products of this test's own: what it counts, no other test reads.
        var impressions = await fixture.LakeTableAsync("usage.impressions");
        await fixture.RatingsAsync("usage.ratings", "ratings", "ratings");
        await Mesh.RegisterAsync("content.popular-titles", "titles", "csv",
            new { path = Path.Combine(RepositoryLayout.SampleMesh, "content", "popular-titles", "data", "popular_titles.csv") });
        string[] own = ["content.popular-titles", "usage.impressions", "usage.ratings"];
        var before = DateTimeOffset.UtcNow;
        using var anna = Mesh.Client("lakehouse", Mesh.Token("analyst-anna", []));
        await QueryAsync("SELECT count(*) FROM content.popular_titles.titles", anna);
        await QueryAsync("SELECT t.title FROM content.popular_titles.titles AS t JOIN usage.ratings.ratings AS r USING (title_id) LIMIT 3", anna);
        await QueryAsync("SELECT count(*) FROM content.popular_titles.titles");
        await QueryAsync("SELECT count(*) FROM usage.impressions.impressions");
        using (var failed = await PostAsync("SELECT no_such_column FROM content.popular_titles.titles", anna))
        {
            Assert.Equal(HttpStatusCode.BadRequest, failed.StatusCode);
        }

        await WaitForAsync("SELECT CASE WHEN count(*) = 5 THEN 'all' END FROM lakehouse.queries WHERE sql LIKE '%popular_titles.titles%' OR sql LIKE '%usage.impressions.%'");
        using var platform = Mesh.Client("lakehouse", Mesh.Token("platform-admin", [MeshAccess.AnyDomain]));
        var titles = await platform.GetFromJsonAsync<JsonElement>(new Uri("/usage/products/content.popular-titles", UriKind.Relative), ct);
        Assert.Equal(4, titles.GetProperty("queries").GetInt32());
        var consumers = titles.GetProperty("consumers").EnumerateArray().ToDictionary(c => c.GetProperty("subject").GetString()!);
        Assert.Equal(["analyst-anna", "anonymous"], consumers.Keys.Order());
        Assert.Equal(3, consumers["analyst-anna"].GetProperty("queries").GetInt32());
        Assert.Equal(2, consumers["analyst-anna"].GetProperty("completed").GetInt32());
        Assert.Equal(4, consumers["analyst-anna"].GetProperty("rowsReturned").GetInt32());
        Assert.Equal(["titles"], consumers["anonymous"].GetProperty("outputs").EnumerateArray().Select(o => o.GetString()));
        Assert.InRange(consumers["anonymous"].GetProperty("lastReadAt").GetDateTimeOffset(), before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));

        var products = await platform.GetFromJsonAsync<JsonElement>(new Uri("/usage/products", UriKind.Relative), ct);
        Assert.Equal(
            ["content.popular-titles:4:2", "usage.impressions:1:1", "usage.ratings:1:1"],
            products.EnumerateArray().Where(p => own.Contains(p.GetProperty("productId").GetString()))
                .Select(p => $"{p.GetProperty("productId").GetString()}:{p.GetProperty("queries").GetInt32()}:{p.GetProperty("consumers").GetInt32()}"));

        // Lakehouse reads name the snapshot they saw: the consumer side of lineage.
        var table = Iceberg.IcebergTable.Open(impressions.DirectoryIn(Mesh.LakeRoot));
        Assert.Equal(
            table.Metadata.CurrentSnapshotId.ToString(),
            await WaitForAsync("SELECT snapshot::text FROM lakehouse.product_reads WHERE product_id = 'usage.impressions'"));
    }

    [Fact]
    public async Task ArrowStream_CarriesRowsAndTypes_FromEitherDatabase()
    {
        var (schema, batches) = await QueryArrowAsync("SELECT title_id, rating, votes FROM content.ratings.title_ratings ORDER BY title_id LIMIT 5");
        Assert.Equal(ArrowTypeId.Decimal128, schema.GetFieldByName("rating").DataType.TypeId);
        Assert.Equal(ArrowTypeId.Int32, schema.GetFieldByName("votes").DataType.TypeId);
        Assert.Equal(["tt0001", "tt0002", "tt0003", "tt0004", "tt0005"],
            batches.SelectMany(b => Enumerable.Range(0, b.Length).Select(i => ((StringArray)b.Column("title_id")).GetString(i))));

        // Lakehouse tables only: the shared database answers.
        (_, batches) = await QueryArrowAsync("SELECT count(*) AS n FROM advertising.ad_impressions.impressions");
        Assert.Equal(Impressions, ((Int64Array)batches.Single().Column("n")).GetValue(0));

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/query", UriKind.Relative)) { Content = JsonContent.Create(new { sql = "SELECT nope FROM content.catalogue.titles" }) };
        request.Headers.Accept.ParseAdd(ArrowStream);
        using var refused = await Mesh.Lakehouse.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
    }

    private async Task<(Schema Schema, List<RecordBatch> Batches)> QueryArrowAsync(string sql)
    {
        var ct = TestContext.Current.CancellationToken;
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/query", UriKind.Relative)) { Content = JsonContent.Create(new { sql }) };
        request.Headers.Accept.ParseAdd(ArrowStream);
        using var response = await Mesh.Lakehouse.SendAsync(request, ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(ct));
        Assert.Equal(ArrowStream, response.Content.Headers.ContentType!.MediaType);
        using var reader = new ArrowStreamReader(await response.Content.ReadAsStreamAsync(ct));
        var batches = new List<RecordBatch>();
        while (await reader.ReadNextRecordBatchAsync(ct) is { } batch)
        {
            batches.Add(batch);
        }

        return (reader.Schema, batches);
    }

    [Fact]
    public async Task TimeTravel_AtVersionOrTimestamp_ReadsThatSnapshot()
    {
        var ct = TestContext.Current.CancellationToken;
        // Snapshots an hour apart on a clock of the test's own: a time between them is exact, not a guess about the wall clock.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var history = await fixture.LakeTableAsync("advertising.impressions-history", clock);
        var first = Iceberg.IcebergTable.Open(history.DirectoryIn(Mesh.LakeRoot)).Metadata.CurrentSnapshotId!.Value;
        var between = clock.GetUtcNow().AddMinutes(30);
        clock.Advance(TimeSpan.FromHours(1));
        var more = Path.Combine(fixture.Work, "more.csv");
        AdImpressionsGenerator.Write(more, 1_000);
        Assert.True(LakeIngest.Run(more, history, ImpressionsContract, TableWriter.Mode.Append, Mesh.LakeRoot, StorageTemplates.Daily, time: clock).Committed);

        var rows = await QueryAsync($"""
            SELECT (SELECT count(*) FROM advertising.impressions_history.impressions) AS now,
                   (SELECT count(*) FROM advertising.impressions_history.impressions AT (VERSION => {first})) AS first,
                   (SELECT count(*) FROM advertising.impressions_history.impressions AT (TIMESTAMP => TIMESTAMPTZ '{between:yyyy-MM-dd HH:mm:ss.fff}+00')) AS then
            """);

        Assert.Equal(Impressions + 1_000, rows[0].GetProperty("now").GetInt32());
        Assert.Equal(Impressions, rows[0].GetProperty("first").GetInt32());
        Assert.Equal(Impressions, rows[0].GetProperty("then").GetInt32());

        // The usage record names every snapshot the query read: the current one and the earlier one.
        var current = Iceberg.IcebergTable.Open(history.DirectoryIn(Mesh.LakeRoot)).Metadata.CurrentSnapshotId!.Value;
        Assert.Equal(
            string.Join(',', new[] { first, current }.Order()),
            await WaitForAsync("""
                SELECT string_agg(r.snapshot::text, ',' ORDER BY r.snapshot) FROM lakehouse.product_reads r
                JOIN lakehouse.queries q ON q.id = r.query_id WHERE q.sql LIKE '%impressions_history.impressions AT (VERSION%' AND q.outcome = 'completed'
                """));

        // ...and counts that query, and its one row, once per consumer, not once per snapshot.
        using var owner = Mesh.Client("lakehouse", Mesh.Token("advertising-lead", ["advertising"]));
        var usage = await owner.GetFromJsonAsync<JsonElement>(new Uri("/usage/products/advertising.impressions-history", UriKind.Relative), ct);
        var anonymous = usage.GetProperty("consumers").EnumerateArray().Single();
        Assert.Equal(1, anonymous.GetProperty("completed").GetInt32());
        Assert.Equal(1, anonymous.GetProperty("rowsReturned").GetInt32());

        await AssertRefusedAsync("SELECT count(*) FROM advertising.impressions_history.impressions AT (VERSION => 42)", HttpStatusCode.BadRequest, $"has no snapshot 42; it has {first}, ");
        await AssertRefusedAsync("SELECT count(*) FROM advertising.impressions_history.impressions AT (TIMESTAMP => TIMESTAMPTZ '2001-01-01 00:00:00+00')", HttpStatusCode.BadRequest, "had no data yet at 2001-01-01");
        await AssertRefusedAsync("SELECT count(*) FROM advertising.impressions_history.impressions AT (TIMESTAMP => now())", HttpStatusCode.BadRequest, "Time travel takes a literal");
        await AssertRefusedAsync("SELECT count(*) FROM content.catalogue.titles AT (VERSION => 1)", HttpStatusCode.BadRequest, "only lakehouse tables keep versions");
    }

    [Fact]
    public async Task ConcurrentQueriesDuringIngest_SeeTheOldOrTheNewSnapshot_NeverAMix()
    {
        var ct = TestContext.Current.CancellationToken;
        var churning = await fixture.LakeTableAsync("advertising.impressions-churn");
        var larger = Path.Combine(fixture.Work, "larger.csv");
        AdImpressionsGenerator.Write(larger, 4_000);
        var seen = new System.Collections.Concurrent.ConcurrentBag<int>();
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var rows = await QueryAsync("SELECT count(*) AS n, count(DISTINCT impression_id) AS ids FROM advertising.impressions_churn.impressions");
                Assert.Equal(rows[0].GetProperty("n").GetInt32(), rows[0].GetProperty("ids").GetInt32());
                seen.Add(rows[0].GetProperty("n").GetInt32());
            }
        }, ct)).ToList();

        for (var i = 0; i < 4; i++)
        {
            Assert.True(LakeIngest.Run(larger, churning, ImpressionsContract, TableWriter.Mode.Overwrite, Mesh.LakeRoot).Committed);
            Assert.True(LakeIngest.Run(fixture.ImpressionsCsv, churning, ImpressionsContract, TableWriter.Mode.Overwrite, Mesh.LakeRoot).Committed);
        }

        await stop.CancelAsync();
        await Task.WhenAll(readers);
        Assert.NotEmpty(seen);
        Assert.All(seen, count => Assert.Contains(count, new[] { Impressions, 4_000 }));
    }

    private async Task AssertRefusedAsync(string sql, HttpStatusCode status, string message)
    {
        using var response = await PostAsync(sql);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == status, body);
        Assert.Contains(message, body);
    }

    /// <summary>Polls a query until it returns a non-null value (usage records are written in the background).</summary>
    private async Task<string?> WaitForAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Mesh.ConnectionString);
        await connection.OpenAsync();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            if (await command.ExecuteScalarAsync() is string value)
            {
                return value;
            }

            await Task.Delay(100);
        }

        return null;
    }

    /// <summary>COPY statements the lakehouse service has running on PostgreSQL.</summary>
    private async Task<long> CopiesRunningAsync()
    {
        await using var connection = new NpgsqlConnection(Mesh.ConnectionString);
        await connection.OpenAsync();

        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'mesh-lakehouse' AND query LIKE 'COPY%' AND state = 'active'", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Mesh.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private Task<HttpResponseMessage> PostAsync(string sql, HttpClient? client = null) =>
        (client ?? Mesh.Lakehouse).PostAsJsonAsync(new Uri("/query", UriKind.Relative), new { sql }, TestContext.Current.CancellationToken);

    private async Task<List<JsonElement>> QueryAsync(string sql, HttpClient? client = null)
    {
        using var response = await PostAsync(sql, client);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return [.. body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone())];
    }
}
