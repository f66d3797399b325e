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
using Npgsql;

namespace MeshInABox.Lakehouse.Tests;

/// <summary>POST /query on a running mesh: products in CSV files, Iceberg tables and PostgreSQL, found through the registry.</summary>
public sealed class QueryEndpointTests(PostgresServerFixture postgres) : IAsyncLifetime
{
    private const int Impressions = 3_000;
    private const string ArrowStream = "application/vnd.apache.arrow.stream";
    private readonly string _work = TemporaryDirectory.Create("mesh-querysvc-");
    private RunningMesh _mesh = null!;

    private static string Titles => Path.Combine(RepositoryLayout.SampleMesh, "content", "catalogue", "data", "titles.csv");

    private static DataContract ImpressionsContract => ContractReader.Read(
        File.ReadAllText(Path.Combine(RepositoryLayout.SampleMesh, "advertising", "ad-impressions", "contracts", "impressions.odcs.yaml")), "impressions").Contract;

    private static LakeTableName ImpressionsTable => LakeTableName.Parse("advertising.ad-impressions.impressions");

    public async ValueTask InitializeAsync()
    {
        _mesh = await RunningMesh.StartAsync(postgres, nameof(QueryEndpointTests));
        var csv = Path.Combine(_work, "impressions.csv");
        AdImpressionsGenerator.Write(csv, Impressions);
        Assert.True(LakeIngest.Run(csv, ImpressionsTable, ImpressionsContract, TableWriter.Mode.Append, _mesh.LakeRoot, StorageTemplates.Daily).Committed);
        await _mesh.RegisterAsync("advertising.ad-impressions", "impressions", "lakehouse", new { storageTemplate = "lakehouse-daily" });
        await _mesh.RegisterAsync("content.catalogue", "titles", "csv", new { path = Titles });

        await _mesh.CreateProductTableAsync("content.ratings", "title_ratings", """
            CREATE TABLE title_ratings (title_id text PRIMARY KEY, rating numeric(3,1) NOT NULL, votes int, rated_at timestamptz, note text);
            INSERT INTO title_ratings
            SELECT 'tt' || lpad(n::text, 4, '0'), (n % 50) / 10.0 + 5, n * 10, TIMESTAMPTZ '2026-03-01 12:00:00+00' + n * INTERVAL '1 hour', CASE WHEN n = 1 THEN 'first, "quoted"' END
            FROM generate_series(1, 60) AS n
            """);
        await _mesh.RegisterAsync("content.ratings", "title-ratings", "postgres", _mesh.PostgresLocation("content.ratings", "title_ratings"));
    }

    public async ValueTask DisposeAsync()
    {
        await _mesh.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

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
        var expected = File.ReadLines(Path.Combine(_work, "impressions.csv")).Skip(1).Select(l => l.Split(',')[3])
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
        await _mesh.RegisterAsync("content.old-ratings", "ratings", "postgres", _mesh.PostgresLocation("content.old-ratings", "dropped_long_ago"));

        using var response = await PostAsync("SELECT * FROM content.old_ratings.ratings");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("dropped_long_ago does not exist", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ClientDisconnectingMidStream_FreesTheQuery()
    {
        var ct = TestContext.Current.CancellationToken;
        await _mesh.CreateProductTableAsync("content.big", "big", "CREATE TABLE big AS SELECT n, md5(n::text) AS digest FROM generate_series(1, 2000000) AS n");
        await _mesh.RegisterAsync("content.big", "rows", "postgres", _mesh.PostgresLocation("content.big", "big"));

        using (var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/query", UriKind.Relative)) { Content = JsonContent.Create(new { sql = "SELECT * FROM content.big.rows" }) })
        using (var response = await _mesh.Lakehouse.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct))
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
        var before = DateTimeOffset.UtcNow;
        using var anna = _mesh.Client("lakehouse", _mesh.Token("analyst-anna", []));
        await QueryAsync("SELECT count(*) FROM content.catalogue.titles", anna);
        await QueryAsync("SELECT t.title FROM content.catalogue.titles AS t JOIN content.ratings.title_ratings AS r USING (title_id) LIMIT 3", anna);
        await QueryAsync("SELECT count(*) FROM content.catalogue.titles");
        await QueryAsync("SELECT count(*) FROM advertising.ad_impressions.impressions");
        using (var failed = await PostAsync("SELECT no_such_column FROM content.catalogue.titles", anna))
        {
            Assert.Equal(HttpStatusCode.BadRequest, failed.StatusCode);
        }

        await WaitForAsync("SELECT CASE WHEN count(*) = 5 THEN 'all' END FROM lakehouse.queries");
        using var platform = _mesh.Client("lakehouse", _mesh.Token("platform-admin", [MeshAccess.AnyDomain]));
        var catalogue = await platform.GetFromJsonAsync<JsonElement>(new Uri("/usage/products/content.catalogue", UriKind.Relative), ct);
        Assert.Equal(4, catalogue.GetProperty("queries").GetInt32());
        var consumers = catalogue.GetProperty("consumers").EnumerateArray().ToDictionary(c => c.GetProperty("subject").GetString()!);
        Assert.Equal(["analyst-anna", "anonymous"], consumers.Keys.Order());
        Assert.Equal(3, consumers["analyst-anna"].GetProperty("queries").GetInt32());
        Assert.Equal(2, consumers["analyst-anna"].GetProperty("completed").GetInt32());
        Assert.Equal(4, consumers["analyst-anna"].GetProperty("rowsReturned").GetInt32());
        Assert.Equal(["titles"], consumers["anonymous"].GetProperty("outputs").EnumerateArray().Select(o => o.GetString()));
        Assert.InRange(consumers["anonymous"].GetProperty("lastReadAt").GetDateTimeOffset(), before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));

        var products = await platform.GetFromJsonAsync<JsonElement>(new Uri("/usage/products", UriKind.Relative), ct);
        Assert.Equal(
            ["content.catalogue:4:2", "advertising.ad-impressions:1:1", "content.ratings:1:1"],
            products.EnumerateArray().Select(p => $"{p.GetProperty("productId").GetString()}:{p.GetProperty("queries").GetInt32()}:{p.GetProperty("consumers").GetInt32()}"));

        // Lakehouse reads name the snapshot they saw: the consumer side of lineage.
        var table = Iceberg.IcebergTable.Open(ImpressionsTable.DirectoryIn(_mesh.LakeRoot));
        Assert.Equal(
            table.Metadata.CurrentSnapshotId.ToString(),
            await WaitForAsync("SELECT snapshot::text FROM lakehouse.product_reads WHERE product_id = 'advertising.ad-impressions'"));
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
        using var refused = await _mesh.Lakehouse.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
    }

    private async Task<(Schema Schema, List<RecordBatch> Batches)> QueryArrowAsync(string sql)
    {
        var ct = TestContext.Current.CancellationToken;
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/query", UriKind.Relative)) { Content = JsonContent.Create(new { sql }) };
        request.Headers.Accept.ParseAdd(ArrowStream);
        using var response = await _mesh.Lakehouse.SendAsync(request, ct);
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
        var first = Iceberg.IcebergTable.Open(ImpressionsTable.DirectoryIn(_mesh.LakeRoot)).Metadata.CurrentSnapshotId!.Value;
        await Task.Delay(50, ct);
        var between = DateTimeOffset.UtcNow;
        await Task.Delay(50, ct);
        var more = Path.Combine(_work, "more.csv");
        AdImpressionsGenerator.Write(more, 1_000);
        Assert.True(LakeIngest.Run(more, ImpressionsTable, ImpressionsContract, TableWriter.Mode.Append, _mesh.LakeRoot, StorageTemplates.Daily).Committed);

        var rows = await QueryAsync($"""
            SELECT (SELECT count(*) FROM advertising.ad_impressions.impressions) AS now,
                   (SELECT count(*) FROM advertising.ad_impressions.impressions AT (VERSION => {first})) AS first,
                   (SELECT count(*) FROM advertising.ad_impressions.impressions AT (TIMESTAMP => TIMESTAMPTZ '{between:yyyy-MM-dd HH:mm:ss.fff}+00')) AS then
            """);

        Assert.Equal(Impressions + 1_000, rows[0].GetProperty("now").GetInt32());
        Assert.Equal(Impressions, rows[0].GetProperty("first").GetInt32());
        Assert.Equal(Impressions, rows[0].GetProperty("then").GetInt32());

        // The usage record names every snapshot the query read: the current one and the earlier one.
        var current = Iceberg.IcebergTable.Open(ImpressionsTable.DirectoryIn(_mesh.LakeRoot)).Metadata.CurrentSnapshotId!.Value;
        Assert.Equal(
            string.Join(',', new[] { first, current }.Order()),
            await WaitForAsync("""
                SELECT string_agg(r.snapshot::text, ',' ORDER BY r.snapshot) FROM lakehouse.product_reads r
                JOIN lakehouse.queries q ON q.id = r.query_id WHERE q.sql LIKE '%AT (VERSION%' AND q.outcome = 'completed'
                """));

        // ...and counts that query, and its one row, once per consumer, not once per snapshot.
        using var owner = _mesh.Client("lakehouse", _mesh.Token("advertising-lead", ["advertising"]));
        var usage = await owner.GetFromJsonAsync<JsonElement>(new Uri("/usage/products/advertising.ad-impressions", UriKind.Relative), ct);
        var anonymous = usage.GetProperty("consumers").EnumerateArray().Single();
        Assert.Equal(1, anonymous.GetProperty("completed").GetInt32());
        Assert.Equal(1, anonymous.GetProperty("rowsReturned").GetInt32());

        await AssertRefusedAsync("SELECT count(*) FROM advertising.ad_impressions.impressions AT (VERSION => 42)", HttpStatusCode.BadRequest, $"has no snapshot 42; it has {first}, ");
        await AssertRefusedAsync("SELECT count(*) FROM advertising.ad_impressions.impressions AT (TIMESTAMP => TIMESTAMPTZ '2001-01-01 00:00:00+00')", HttpStatusCode.BadRequest, "had no data yet at 2001-01-01");
        await AssertRefusedAsync("SELECT count(*) FROM advertising.ad_impressions.impressions AT (TIMESTAMP => now())", HttpStatusCode.BadRequest, "Time travel takes a literal");
        await AssertRefusedAsync("SELECT count(*) FROM content.catalogue.titles AT (VERSION => 1)", HttpStatusCode.BadRequest, "only lakehouse tables keep versions");
    }

    [Fact]
    public async Task ConcurrentQueriesDuringIngest_SeeTheOldOrTheNewSnapshot_NeverAMix()
    {
        var ct = TestContext.Current.CancellationToken;
        var larger = Path.Combine(_work, "larger.csv");
        AdImpressionsGenerator.Write(larger, 4_000);
        var seen = new System.Collections.Concurrent.ConcurrentBag<int>();
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var rows = await QueryAsync("SELECT count(*) AS n, count(DISTINCT impression_id) AS ids FROM advertising.ad_impressions.impressions");
                Assert.Equal(rows[0].GetProperty("n").GetInt32(), rows[0].GetProperty("ids").GetInt32());
                seen.Add(rows[0].GetProperty("n").GetInt32());
            }
        }, ct)).ToList();

        for (var i = 0; i < 4; i++)
        {
            Assert.True(LakeIngest.Run(larger, ImpressionsTable, ImpressionsContract, TableWriter.Mode.Overwrite, _mesh.LakeRoot).Committed);
            Assert.True(LakeIngest.Run(Path.Combine(_work, "impressions.csv"), ImpressionsTable, ImpressionsContract, TableWriter.Mode.Overwrite, _mesh.LakeRoot).Committed);
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
        await using var connection = new NpgsqlConnection(_mesh.ConnectionString);
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
        await using var connection = new NpgsqlConnection(_mesh.ConnectionString);
        await connection.OpenAsync();

        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'mesh-lakehouse' AND query LIKE 'COPY%' AND state = 'active'", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_mesh.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private Task<HttpResponseMessage> PostAsync(string sql, HttpClient? client = null) =>
        (client ?? _mesh.Lakehouse).PostAsJsonAsync(new Uri("/query", UriKind.Relative), new { sql }, TestContext.Current.CancellationToken);

    private async Task<List<JsonElement>> QueryAsync(string sql, HttpClient? client = null)
    {
        using var response = await PostAsync(sql, client);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return [.. body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone())];
    }
}
