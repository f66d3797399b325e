using System.Net.Http.Json;
using System.Text.Json;
using MeshInABox.Registry.OpenLineage;
using MeshInABox.Testing;
using static MeshInABox.Registry.Tests.DataHub.FeedTesting;

namespace MeshInABox.Registry.Tests.DataHub;

/// <summary>Forwarding of lineage_events to an OpenLineage endpoint (a local stand-in for Marquez), one event per POST.</summary>
public sealed class OpenLineageForwarderTests(PostgresServerFixture server)
{
    [Fact]
    public async Task Forwarder_PostedEvent_ArrivesAtTheEndpointAsItWasReceived()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var marquez = FakeReceiver.Start();
        await using var registry = await StartAsync(marquez.BaseUrl + "/api/v1/lineage", await server.NewDatabaseAsync(nameof(OpenLineageForwarderTests)));
        using var writer = registry.Writer("content");
        var job = "forward-" + Guid.NewGuid().ToString("N")[..8];

        using var response = await writer.PostAsJsonAsync("/api/v1/lineage", OpenLineageIntakeTests.RunEvent(job), ct);
        response.EnsureSuccessStatusCode();

        await UntilAsync(registry.Time, () => marquez.Accepted.Any(r => r.Body.Contains(job, StringComparison.Ordinal)), "the event at the endpoint", ct);
        var request = Assert.Single(marquez.Accepted);
        Assert.Equal(("POST", "/api/v1/lineage"), (request.Method, request.PathAndQuery));
        Assert.StartsWith("application/json", request.Headers["Content-Type"]);
        Assert.Equal("Bearer lineage-token", request.Headers["Authorization"]);
        var forwarded = JsonDocument.Parse(request.Body).RootElement;
        Assert.Equal(JsonValueKind.Object, forwarded.ValueKind); // one event, not an array
        Assert.Equal(job, forwarded.GetProperty("job").GetProperty("name").GetString());
        Assert.Equal("COMPLETE", forwarded.GetProperty("eventType").GetString());
    }

    [Fact]
    public async Task Forwarder_EndpointFailingThenBack_SendsEveryEventInOrderAndAdvancesOnlyAfterAcceptance()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var marquez = FakeReceiver.Start();
        var failures = 0;
        marquez.Answer = _ => Interlocked.Increment(ref failures) switch
        {
            1 => (429, 1), // too many requests, with Retry-After
            <= 3 => (503, null),
            _ => (200, null),
        };
        await using var registry = await StartAsync(marquez.BaseUrl + "/api/v1/lineage", await server.NewDatabaseAsync(nameof(OpenLineageForwarderTests)));
        using var writer = registry.Writer("content");
        var jobs = Enumerable.Range(0, 3).Select(i => $"ordered-{i}-" + Guid.NewGuid().ToString("N")[..8]).ToList();
        foreach (var job in jobs)
        {
            (await writer.PostAsJsonAsync("/api/v1/lineage", OpenLineageIntakeTests.RunEvent(job), ct)).EnsureSuccessStatusCode();
        }

        await UntilAsync(registry.Time, () => marquez.Accepted.Count >= 3, "three events accepted", ct);

        Assert.Equal(jobs, marquez.Accepted.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("job").GetProperty("name").GetString()));
        Assert.True(marquez.Requests.Count >= 6, "the first event was refused three times before it was accepted");
        var forwarder = registry.Service<OpenLineageForwarder>();
        await UntilAsync(registry.Time, () => forwarder.Delivered == 3 && forwarder.Pending == 0, "the position saved", ct);
        registry.Time.Advance(TimeSpan.FromSeconds(5));
        await Task.Delay(200, ct);
        Assert.Equal(3, marquez.Accepted.Count); // nothing re-sent once acknowledged
    }

    private async Task<RegistryHost> StartAsync(string url, string database)
    {
        var settings = Settings("OpenLineage");
        settings["Registry:OpenLineage:Url"] = url;
        settings["Registry:OpenLineage:Token"] = "lineage-token";
        settings["ConnectionStrings:meshdb"] = database;
        return await RegistryHost.StartAsync(server, GetType(), settings);
    }
}
