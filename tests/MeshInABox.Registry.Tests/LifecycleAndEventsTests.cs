using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MeshInABox.Registry.Infrastructure;
using MeshInABox.Registry.Publishing;
using MeshInABox.Testing;

namespace MeshInABox.Registry.Tests;

public sealed class LifecycleAndEventsTests(PostgresServerFixture server) : IAsyncLifetime
{
    private RegistryHost _registry = null!;

    public async ValueTask InitializeAsync() => _registry = await RegistryHost.StartAsync(server, GetType());

    public ValueTask DisposeAsync() => _registry.DisposeAsync();

    [Fact]
    public async Task Deprecate_ThenRetireAfterSunset_KeepsTheProductReadableButClosed()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var id = await Samples.RegisterAsync(writer, ct);
        var sunset = _registry.Time.GetUtcNow().AddDays(30);

        using var pastSunset = await writer.PostAsJsonAsync($"/data-products/{id}/deprecation", new { sunsetAt = _registry.Time.GetUtcNow().AddDays(-1), message = "m" }, ct);
        using var notDeprecated = await writer.PostAsync($"/data-products/{id}/retirement", null, ct);
        using var deprecated = await writer.PostAsJsonAsync($"/data-products/{id}/deprecation", new { sunsetAt = sunset, message = "Use content.catalogue-v2 instead." }, ct);
        using var early = await writer.PostAsync($"/data-products/{id}/retirement", null, ct);
        _registry.Time.Advance(TimeSpan.FromDays(31));
        using var retired = await writer.PostAsync($"/data-products/{id}/retirement", null, ct);
        using var publish = await Samples.PublishAsync(writer, id, Samples.Version("1.0.0"), "late", ct);
        using var history = await _registry.Anonymous().GetAsync($"/data-products/{id}", ct);

        Assert.Equal(HttpStatusCode.BadRequest, pastSunset.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, notDeprecated.StatusCode);
        var notice = (await deprecated.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("deprecation");
        Assert.Equal("Use content.catalogue-v2 instead.", notice.GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Contains("after its sunset", (await early.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("detail").GetString());
        Assert.Equal("retired", (await retired.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, publish.StatusCode);
        Assert.Equal(HttpStatusCode.OK, history.StatusCode);
        Assert.Equal("retired", (await history.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Worker_KilledMidValidation_TheVersionIsTakenOverAndDecided()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var registry = await RegistryHost.StartAsync(server, GetType(), new Dictionary<string, string> { ["Registry:WorkerEnabled"] = "false" }, ownDatabase: true);
        using var writer = registry.Writer("content");
        var id = await Samples.RegisterAsync(writer, ct);
        (await Samples.PublishAsync(writer, id, Samples.Version("1.0.0"), "crash", ct)).Dispose();
        var versions = registry.Service<VersionStore>();

        // A worker claims the version, then dies before deciding.
        var crashed = await versions.ClaimNextAsync(registry.Time.GetUtcNow(), TimeSpan.FromSeconds(30), ct);
        var midway = await writer.GetFromJsonAsync<JsonElement>($"/data-products/{id}/versions/1.0.0", ct);
        var worker = registry.Service<PublishingWorker>();
        var tookOverTooEarly = await worker.ProcessNextAsync(ct);
        registry.Time.Advance(TimeSpan.FromSeconds(31));
        var tookOver = await worker.ProcessNextAsync(ct);
        var decided = await writer.GetFromJsonAsync<JsonElement>($"/data-products/{id}/versions/1.0.0", ct);
        var lateResult = await versions.CompleteAsync(crashed!, new Verdict([new RejectionReason("test", "late", "A worker that lost its lease.")], [], []), registry.Time.GetUtcNow(), ct);

        Assert.Equal(id, crashed!.ProductId);
        Assert.Equal("validating", midway.GetProperty("status").GetString());
        Assert.False(tookOverTooEarly);
        Assert.True(tookOver);
        Assert.Equal("active", decided.GetProperty("status").GetString());
        Assert.False(lateResult);
    }

    [Fact]
    public async Task Events_FollowEveryChangeInCommitOrder_FromAnyPosition()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var start = await LastPositionAsync(writer, ct);
        var id = await Samples.RegisterAsync(writer, ct);
        (await Samples.PublishAsync(writer, id, Samples.Version("1.0.0"), "e1", ct)).Dispose();
        await _registry.WaitForDecisionAsync(writer, id, "1.0.0", ct);

        var page = await Eventually.ReadAsync(
            () => writer.GetFromJsonAsync<JsonElement>($"/events?after={start}&limit=1000", ct),
            p => Mine(p).Count >= 3, ct);
        var mine = Mine(page);
        List<JsonElement> Mine(JsonElement p) => [.. p.GetProperty("events").EnumerateArray().Where(e => e.GetProperty("productId").GetString() == id)];

        var fromNext = await writer.GetFromJsonAsync<JsonElement>($"/events?after={page.GetProperty("next").GetInt64()}", ct);
        using var unknownCursor = await writer.GetAsync("/events?after=999999999", ct);

        Assert.Equal(["product.registered", "version.accepted", "version.published"], mine.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal("1.0.0", mine[2].GetProperty("payload").GetProperty("version").GetString());
        Assert.True(mine.Select(e => e.GetProperty("position").GetInt64()).SequenceEqual(mine.Select(e => e.GetProperty("position").GetInt64()).Order()));
        Assert.Equal(0, fromNext.GetProperty("events").GetArrayLength());
        Assert.Equal(HttpStatusCode.BadRequest, unknownCursor.StatusCode);
    }

    [Fact]
    public async Task Events_AnOpenTransactionHoldsBackLaterEvents_SoNoneIsSkipped()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var outbox = _registry.Service<Outbox>();
        var start = await LastPositionAsync(writer, ct);

        // An event whose transaction is still open has an earlier position than one committed after it.
        await using var connection = await _registry.Service<Npgsql.NpgsqlDataSource>().OpenConnectionAsync(ct);
        await using var open = await connection.BeginTransactionAsync(ct);
        await Outbox.AppendAsync(open, "test.slow", "content.slow", new { }, _registry.Time.GetUtcNow(), ct);
        var fast = await Samples.RegisterAsync(writer, ct);
        var whileOpen = await outbox.ReadAsync(start, 100, ct);
        await open.CommitAsync(ct);

        var afterCommit = await Eventually.ReadAsync(
            async () => (await outbox.ReadAsync(start, 1000, ct))!.Where(e => e.ProductId is "content.slow" || e.ProductId == fast).Select(e => e.Type).ToList(),
            types => types.Count >= 2, ct);

        Assert.DoesNotContain(whileOpen!, e => e.ProductId == fast);
        Assert.Equal(["test.slow", "product.registered"], afterCommit);
    }

    private static async Task<long> LastPositionAsync(HttpClient client, CancellationToken ct)
    {
        var position = 0L;
        while (true)
        {
            var page = await client.GetFromJsonAsync<JsonElement>($"/events?after={position}&limit=1000", ct);
            var next = page.GetProperty("next").GetInt64();
            if (next == position)
            {
                return position;
            }

            position = next;
        }
    }
}
