using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MeshInABox.Domain.Access;
using MeshInABox.Postgres.Migrations;
using MeshInABox.Lakehouse.Usage;
using MeshInABox.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace MeshInABox.Lakehouse.Tests;

/// <summary>One running mesh with an open and a restricted CSV product, shared by the usage tests (each caller has a subject of its own).</summary>
public sealed class UsageMesh(PostgresServerFixture postgres) : IAsyncLifetime
{
    public RunningMesh Mesh { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Mesh = await RunningMesh.StartAsync(postgres, nameof(UsageRecordsTests));
        await Mesh.RegisterAsync("content.catalogue", "titles", "csv", new { path = Path.Combine(RepositoryLayout.SampleMesh, "content", "catalogue", "data", "titles.csv") });
        await Mesh.RegisterAsync("content.viewing-sessions", "sessions", "csv",
            new { path = Path.Combine(RepositoryLayout.SampleMesh, "content", "viewing-sessions", "data", "sessions.csv") }, classification: "restricted");
    }

    public ValueTask DisposeAsync() => Mesh.DisposeAsync();
}

/// <summary>Usage records: every query, refused ones too, with how it ended; and who may read them.</summary>
public sealed class UsageRecordsTests(UsageMesh fixture) : IClassFixture<UsageMesh>
{
    private RunningMesh Mesh => fixture.Mesh;

    [Fact]
    public async Task EveryRefusal_IsRecordedWithItsOutcomeStatusAndReason_QueriesThatRanAsBefore()
    {
        var ct = TestContext.Current.CancellationToken;
        using var rita = Mesh.Client("lakehouse", Mesh.Token("refused-rita", []));
        var cases = new (string? Sql, HttpStatusCode Status, string Outcome)[]
        {
            ("SELECT count(*) AS n FROM content.catalogue.titles", HttpStatusCode.OK, "completed"),
            ("SELECT no_such_column FROM content.catalogue.titles", HttpStatusCode.BadRequest, "failed"),
            ("SELECT * FRM content.catalogue.titles", HttpStatusCode.BadRequest, "invalid"),
            ("  ", HttpStatusCode.BadRequest, "invalid"),
            ("SELECT * FROM read_csv('/etc/passwd')", HttpStatusCode.Forbidden, "forbidden"),
            ("SELECT count(*) FROM content.viewing_sessions.sessions", HttpStatusCode.Forbidden, "forbidden"),
            ("SELECT * FROM content.nothing.here", HttpStatusCode.NotFound, "unknown"),
        };
        var details = new List<string?>();
        foreach (var (sql, status, _) in cases)
        {
            using var response = await rita.PostAsJsonAsync("/query", new { sql }, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            Assert.True(response.StatusCode == status, $"{sql}: {(int)response.StatusCode} {body}");
            details.Add(status == HttpStatusCode.OK ? null : JsonDocument.Parse(body).RootElement.TryGetProperty("detail", out var d) ? d.GetString() : null);
        }

        var records = (await WaitForRecordsAsync(rita, "", cases.Length)).ToDictionary(r => r.GetProperty("sql").GetString()!);

        for (var i = 0; i < cases.Length; i++)
        {
            var record = records[cases[i].Sql!];
            Assert.Equal(cases[i].Outcome, record.GetProperty("outcome").GetString());
            Assert.Equal((int)cases[i].Status, record.GetProperty("statusCode").GetInt32());
            Assert.Equal("refused-rita", record.GetProperty("subject").GetString());
            if (cases[i].Status == HttpStatusCode.OK)
            {
                Assert.Equal(JsonValueKind.Null, record.GetProperty("reason").ValueKind);
                Assert.Equal("content.catalogue/titles", string.Join(',', record.GetProperty("products").EnumerateArray().Select(p => $"{p.GetProperty("productId")}/{p.GetProperty("output")}")));
                Assert.Equal(1, record.GetProperty("rows").GetInt32());
            }
            else if (details[i] is { } detail)
            {
                Assert.Equal(detail, record.GetProperty("reason").GetString());
            }
        }

        // A refusal read nothing; a failure read what it named.
        Assert.Empty(records["SELECT * FROM content.nothing.here"].GetProperty("products").EnumerateArray());
        Assert.Empty(records["SELECT count(*) FROM content.viewing_sessions.sessions"].GetProperty("products").EnumerateArray());
        Assert.Single(records["SELECT no_such_column FROM content.catalogue.titles"].GetProperty("products").EnumerateArray());
        Assert.Contains("'sql' is required", records["  "].GetProperty("reason").GetString());
        Assert.Contains("is restricted", records["SELECT count(*) FROM content.viewing_sessions.sessions"].GetProperty("reason").GetString());

        var forbidden = await rita.GetFromJsonAsync<JsonElement>("/usage/queries?outcome=forbidden", ct);
        Assert.Equal(2, forbidden.GetArrayLength());
        using var unknownOutcome = await rita.GetAsync("/usage/queries?outcome=lost", ct);
        await ProblemAssert.IsProblemAsync(unknownOutcome, HttpStatusCode.BadRequest, ct);
    }

    [Fact]
    public async Task OneQueryTooMany_IsRecordedAsThrottled_WithoutItsUnreadBody()
    {
        var ct = TestContext.Current.CancellationToken;
        using var greedy = Mesh.Client("lakehouse", Mesh.Token("greedy-gus", []));
        const string Endless = "SELECT * FROM content.catalogue.titles a, content.catalogue.titles b, content.catalogue.titles c, content.catalogue.titles d";
        var running = new List<HttpResponseMessage>();
        try
        {
            for (var i = 0; i < new LakehouseOptions().MaxConcurrentQueriesPerCaller; i++)
            {
                running.Add(await greedy.SendAsync(Query(Endless), HttpCompletionOption.ResponseHeadersRead, ct));
                Assert.Equal(HttpStatusCode.OK, running[^1].StatusCode);
            }

            using var refused = await greedy.SendAsync(Query("SELECT 1 AS n"), ct);
            await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.TooManyRequests, ct);
        }
        finally
        {
            running.ForEach(r => r.Dispose());
        }

        var throttled = Assert.Single(await WaitForRecordsAsync(greedy, "?outcome=throttled", 1));
        Assert.Equal(429, throttled.GetProperty("statusCode").GetInt32());
        Assert.Equal(JsonValueKind.Null, throttled.GetProperty("sql").ValueKind);
        Assert.Contains("already has 4 such requests running", throttled.GetProperty("reason").GetString());
        var cancelled = await WaitForRecordsAsync(greedy, "?outcome=cancelled", 4);
        Assert.All(cancelled, c => Assert.Equal(Endless, c.GetProperty("sql").GetString()));
    }

    [Fact]
    public async Task Usage_NeedsAToken_AndShowsEachCallerItsOwn_TheOwningDomainItsConsumers_ThePlatformEverything()
    {
        var ct = TestContext.Current.CancellationToken;
        using var alice = Mesh.Client("lakehouse", Mesh.Token("usage-alice", []));
        using var bob = Mesh.Client("lakehouse", Mesh.Token("usage-bob", []));
        using var owner = Mesh.Client("lakehouse", Mesh.Token("content-lead", ["content"]));
        using var readOnly = Mesh.Client("lakehouse", Mesh.Token("content-reader", ["content"], [MeshAccess.ReadScope]));
        using var stranger = Mesh.Client("lakehouse", Mesh.Token("ads-lead", ["advertising"]));
        using var platform = Mesh.Client("lakehouse", Mesh.Token("usage-admin", [MeshAccess.AnyDomain]));
        const string Sql = "SELECT count(*) AS n FROM content.catalogue.titles WHERE title_id <> 'usage-test'";
        foreach (var client in new[] { alice, bob, Mesh.Lakehouse })
        {
            using var ran = await client.PostAsJsonAsync("/query", new { sql = Sql }, ct);
            Assert.Equal(HttpStatusCode.OK, ran.StatusCode);
        }

        foreach (var path in new[] { "/usage/products", "/usage/products/content.catalogue", "/usage/queries" })
        {
            using var anonymous = await Mesh.Lakehouse.GetAsync(path, ct);
            await ProblemAssert.IsProblemAsync(anonymous, HttpStatusCode.Unauthorized, ct);
            Assert.Contains(anonymous.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        }

        // Each caller its own queries; only the platform anyone's.
        var mine = await WaitForRecordsAsync(alice, "", 1);
        Assert.All(mine, r => Assert.Equal("usage-alice", r.GetProperty("subject").GetString()));
        using (var others = await alice.GetAsync("/usage/queries?subject=usage-bob", ct))
        {
            await ProblemAssert.IsProblemAsync(others, HttpStatusCode.Forbidden, ct);
        }

        var bobs = await platform.GetFromJsonAsync<JsonElement>("/usage/queries?subject=usage-bob", ct);
        Assert.All(bobs.EnumerateArray(), r => Assert.Equal("usage-bob", r.GetProperty("subject").GetString()));
        Assert.NotEqual(0, bobs.GetArrayLength());
        var everyone = await WaitForAsync(platform, "/usage/queries?limit=1000", all => Subjects(all).IsSupersetOf(["usage-alice", "usage-bob", "anonymous"]));
        Assert.Contains("anonymous", Subjects(everyone));
        Assert.Equal(["usage-alice"], Subjects(await alice.GetFromJsonAsync<JsonElement>("/usage/queries?limit=1000", ct)));

        // One product's consumers: all of them for its domain and the platform; the caller alone for anyone else.
        Assert.Superset(new HashSet<string> { "anonymous", "usage-alice", "usage-bob" }, Consumers(await owner.GetFromJsonAsync<JsonElement>("/usage/products/content.catalogue", ct)).ToHashSet());
        Assert.Equal(Consumers(await owner.GetFromJsonAsync<JsonElement>("/usage/products/content.catalogue", ct)),
            Consumers(await platform.GetFromJsonAsync<JsonElement>("/usage/products/content.catalogue", ct)));
        Assert.Equal(["usage-alice"], Consumers(await alice.GetFromJsonAsync<JsonElement>("/usage/products/content.catalogue", ct)));
        Assert.Empty(Consumers(await stranger.GetFromJsonAsync<JsonElement>("/usage/products/content.catalogue", ct)));
        // Without the write scope a domain claim is no owner's (as in the registry).
        Assert.Empty(Consumers(await readOnly.GetFromJsonAsync<JsonElement>("/usage/products/content.catalogue", ct)));

        // Per product: what the caller may see, counted.
        var owned = await owner.GetFromJsonAsync<JsonElement>("/usage/products", ct);
        Assert.Contains(owned.EnumerateArray(), p => p.GetProperty("productId").GetString() == "content.catalogue" && p.GetProperty("consumers").GetInt32() >= 3);
        var alicesProducts = await alice.GetFromJsonAsync<JsonElement>("/usage/products", ct);
        var catalogue = Assert.Single(alicesProducts.EnumerateArray());
        Assert.Equal(1, catalogue.GetProperty("consumers").GetInt32());
        Assert.Empty((await stranger.GetFromJsonAsync<JsonElement>("/usage/products", ct)).EnumerateArray());
    }

    [Fact]
    public async Task Answers_NeverWaitForTheirRecords_WhileTheRecordsTableIsLocked()
    {
        var ct = TestContext.Current.CancellationToken;
        using var lena = Mesh.Client("lakehouse", Mesh.Token("locked-lena", []));
        await using (var connection = new NpgsqlConnection(Mesh.ConnectionString))
        {
            await connection.OpenAsync(ct);
            await using var transaction = await connection.BeginTransactionAsync(ct);
            await using (var lockTable = new NpgsqlCommand("LOCK TABLE lakehouse.queries IN ACCESS EXCLUSIVE MODE", connection, transaction))
            {
                await lockTable.ExecuteNonQueryAsync(ct);
            }

            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (var i = 0; i < 3; i++)
            {
                using var unknown = await lena.PostAsJsonAsync("/query", new { sql = $"SELECT * FROM content.nothing.here{i}" }, ct);
                await ProblemAssert.IsProblemAsync(unknown, HttpStatusCode.NotFound, ct);
                using var syntax = await lena.PostAsJsonAsync("/query", new { sql = $"SELEC {i}" }, ct);
                await ProblemAssert.IsProblemAsync(syntax, HttpStatusCode.BadRequest, ct);
                using var ran = await lena.PostAsJsonAsync("/query", new { sql = $"SELECT count(*) + {i} AS n FROM content.catalogue.titles" }, ct);
                Assert.Equal(HttpStatusCode.OK, ran.StatusCode);
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"answers took {clock.Elapsed}");
            // ...while the writer waits on the lock.
            await using var waiting = new NpgsqlCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO queries%'",
                connection, transaction);
            long writers = 0;
            for (var attempt = 0; attempt < 50 && writers == 0; attempt++)
            {
                writers = (long)(await waiting.ExecuteScalarAsync(ct))!;
                await Task.Delay(writers == 0 ? 100 : 0, ct);
            }

            Assert.Equal(1, writers);
            await transaction.RollbackAsync(ct);
        }

        // The writer waited on the lock, not the callers; once it is gone the records are written.
        var records = await WaitForRecordsAsync(lena, "", 9);
        Assert.Equal(["completed", "invalid", "unknown"], records.Select(r => r.GetProperty("outcome").GetString()).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void RefusalFlood_LeavesRoomForTheRecordsOfQueriesThatRan_AndKeepsLongSqlShort()
    {
        using var dataSource = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1");
        using var recorder = new UsageRecorder(dataSource, new MigrationState(), NullLogger<UsageRecorder>.Instance);
        QueryUsage Usage(QueryOutcome outcome, string sql) => new(Guid.CreateVersion7(), "flood", DateTimeOffset.UtcNow, TimeSpan.Zero, 0, outcome, sql, [], 400, "x");

        for (var i = 0; i < UsageRecorder.RefusalRoom + 5; i++)
        {
            recorder.Record(Usage(QueryOutcome.Invalid, "SELEC 1"));
        }

        recorder.Record(Usage(QueryOutcome.Completed, "SELECT 1"));

        Assert.Equal(UsageRecorder.RefusalRoom + 1, recorder.Pending);
        var clipped = UsageRecorder.Clip(new string('x', 200_000))!;
        Assert.StartsWith(new string('x', UsageRecorder.MaxRefusedSqlLength) + "…", clipped);
        Assert.EndsWith("(200,000 characters in all)", clipped);
        Assert.Equal("SELECT 1", UsageRecorder.Clip("SELECT 1"));
        // Never half a surrogate pair.
        Assert.False(char.IsHighSurrogate(UsageRecorder.Clip(new string('x', UsageRecorder.MaxRefusedSqlLength - 1) + "😀😀")![UsageRecorder.MaxRefusedSqlLength - 1]));
    }

    private static HashSet<string> Subjects(JsonElement records) => [.. records.EnumerateArray().Select(r => r.GetProperty("subject").GetString()!)];

    private static string[] Consumers(JsonElement product) => [.. product.GetProperty("consumers").EnumerateArray().Select(c => c.GetProperty("subject").GetString()!).Order(StringComparer.Ordinal)];

    private static HttpRequestMessage Query(string sql) => new(HttpMethod.Post, new Uri("/query", UriKind.Relative))
    {
        Content = new StringContent(JsonSerializer.Serialize(new { sql }), Encoding.UTF8, "application/json"),
    };

    /// <summary>The caller's records once at least <paramref name="count"/> are there (they are written in the background).</summary>
    private static async Task<List<JsonElement>> WaitForRecordsAsync(HttpClient client, string query, int count)
    {
        var records = await WaitForAsync(client, "/usage/queries" + query, r => r.GetArrayLength() >= count);
        return [.. records.EnumerateArray()];
    }

    private static async Task<JsonElement> WaitForAsync(HttpClient client, string path, Func<JsonElement, bool> done)
    {
        var ct = TestContext.Current.CancellationToken;
        JsonElement answer = default;
        for (var attempt = 0; attempt < 150; attempt++)
        {
            answer = await client.GetFromJsonAsync<JsonElement>(path, ct);
            if (done(answer))
            {
                return answer;
            }

            await Task.Delay(100, ct);
        }

        Assert.Fail($"{path} never got there: {answer}");
        return answer;
    }
}
