using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MeshInABox.Testing;

namespace MeshInABox.Registry.Tests;

public sealed class VersionsApiTests(PostgresServerFixture server) : IAsyncLifetime
{
    private RegistryHost _registry = null!;

    public async ValueTask InitializeAsync() => _registry = await RegistryHost.StartAsync(server, GetType());

    public ValueTask DisposeAsync() => _registry.DisposeAsync();

    [Fact]
    public async Task Publish_ValidVersion_Is202ThenActive_AndRecordsEndpoints()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var name = Samples.NewName();
        (await writer.PostAsJsonAsync("/data-products", Samples.Product(name), ct)).EnsureSuccessStatusCode();
        var id = Samples.IdOf(name);

        using var response = await Samples.PublishAsync(writer, id, Samples.Version("1.0.0"), "k1", ct);
        var decided = await _registry.WaitForDecisionAsync(writer, id, "1.0.0", ct);
        var product = await writer.GetFromJsonAsync<JsonElement>($"/data-products/{id}", ct);
        var endpoints = await writer.GetFromJsonAsync<JsonElement>($"/data-products/{id}/endpoints", ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal($"/data-products/{id}/versions/1.0.0", response.Headers.Location!.OriginalString);
        Assert.Equal("accepted", (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("status").GetString());
        Assert.Equal("active", decided.GetProperty("status").GetString());
        Assert.Equal("1.0.0", product.GetProperty("latestVersion").GetString());
        var endpoint = Assert.Single(endpoints.EnumerateArray());
        Assert.Equal(Samples.FileOf(name), endpoint.GetProperty("location").GetProperty("path").GetString());
    }

    [Fact]
    public async Task Publish_ContractAsJsonObject_IsTheSameAsYaml()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var id = await Samples.RegisterAsync(writer, ct);
        var contract = new
        {
            apiVersion = "v3.1.0", kind = "DataContract", id = "titles", version = "1.0.0", status = "active",
            schema = new[] { new { name = "titles", properties = new[] { new { name = "title_id", logicalType = "string", required = true } } } },
        };

        using var response = await Samples.PublishAsync(writer, id, new { version = "1.0.0", contract }, "json", ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("active", (await _registry.WaitForDecisionAsync(writer, id, "1.0.0", ct)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Publish_BadRequests_AreProblemsNamingTheField()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var id = await Samples.RegisterAsync(writer, ct);

        using var noKey = await writer.PostAsJsonAsync($"/data-products/{id}/versions", Samples.Version("1.0.0"), ct);
        using var badSemVer = await Samples.PublishAsync(writer, id, Samples.Version("1.0"), "a", ct);
        using var unreadable = await Samples.PublishAsync(writer, id, new { version = "1.0.0", contract = "apiVersion: v3.1.0\nschema: [\n" }, "b", ct);
        using var mismatch = await Samples.PublishAsync(writer, id, new { version = "1.0.1", contract = Samples.Contract("1.0.0") }, "c", ct);
        using var unknown = await Samples.PublishAsync(writer, "content.nope", Samples.Version("1.0.0"), "d", ct);

        Assert.Equal(HttpStatusCode.BadRequest, noKey.StatusCode);
        Assert.Contains("Idempotency-Key", (await noKey.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("detail").GetString());
        Assert.Contains("not a semantic version", await ErrorAsync(badSemVer, "version", ct));
        Assert.Contains("line 3", await ErrorAsync(unreadable, "contract", ct));
        Assert.Contains("must match", await ErrorAsync(mismatch, "contract.version", ct));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Empty(await writer.GetFromJsonAsync<JsonElement[]>($"/data-products/{id}/versions", ct) ?? []);
    }

    [Fact]
    public async Task Publish_SameKeySameBody_ReturnsTheSameResponse_OtherBodyIs422()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var id = await Samples.RegisterAsync(writer, ct);

        using var first = await Samples.PublishAsync(writer, id, Samples.Version("1.0.0"), "same-key", ct);
        using var again = await Samples.PublishAsync(writer, id, Samples.Version("1.0.0"), "same-key", ct);
        using var other = await Samples.PublishAsync(writer, id, Samples.Version("1.1.0"), "same-key", ct);

        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(first.Headers.Location, again.Headers.Location);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        Assert.Single(await writer.GetFromJsonAsync<JsonElement[]>($"/data-products/{id}/versions", ct) ?? []);
    }

    [Fact]
    public async Task Publish_PublishedNumberWithOtherContent_Is409_ButARejectedNumberCanBeReused()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var id = await Samples.RegisterAsync(writer, ct);
        var badContract = Samples.Contract("1.0.0", c => c.Replace("kind: DataContract", "kind: Schema"));

        using var rejected = await Samples.PublishAsync(writer, id, Samples.Version("1.0.0", badContract), "bad", ct);
        var verdict = await _registry.WaitForDecisionAsync(writer, id, "1.0.0", ct);
        using var reused = await Samples.PublishAsync(writer, id, Samples.Version("1.0.0"), "good", ct);
        await _registry.WaitForDecisionAsync(writer, id, "1.0.0", ct);
        using var conflicting = await Samples.PublishAsync(writer, id, Samples.Version("1.0.0", Samples.Contract("1.0.0", c => c.Replace("genre", "category"))), "other", ct);

        Assert.Equal("rejected", verdict.GetProperty("status").GetString());
        Assert.Contains(verdict.GetProperty("reasons").EnumerateArray(), r => r.GetProperty("message").GetString()!.Contains("kind must be 'DataContract'"));
        Assert.Equal(HttpStatusCode.Accepted, reused.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, conflicting.StatusCode);
        var all = await writer.GetFromJsonAsync<JsonElement[]>($"/data-products/{id}/versions", ct);
        Assert.Equal(["rejected", "active"], all!.Select(v => v.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Publish_BreakingChangeWithoutMajorBump_IsRejectedWithTheDiff_AndAcceptedAsMajor()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var id = await Samples.RegisterAsync(writer, ct);
        (await Samples.PublishAsync(writer, id, Samples.Version("1.2.0"), "v1", ct)).Dispose();
        await _registry.WaitForDecisionAsync(writer, id, "1.2.0", ct);
        static string WithoutGenre(string c) => c.Replace("      - name: genre\n        logicalType: string\n", "");

        (await Samples.PublishAsync(writer, id, Samples.Version("1.3.0", Samples.Contract("1.3.0", WithoutGenre)), "minor", ct)).Dispose();
        var minor = await _registry.WaitForDecisionAsync(writer, id, "1.3.0", ct);
        (await Samples.PublishAsync(writer, id, Samples.Version("2.0.0", Samples.Contract("2.0.0", WithoutGenre)), "major", ct)).Dispose();
        var major = await _registry.WaitForDecisionAsync(writer, id, "2.0.0", ct);

        Assert.Equal("rejected", minor.GetProperty("status").GetString());
        var reason = Assert.Single(minor.GetProperty("reasons").EnumerateArray());
        Assert.Equal("version", reason.GetProperty("kind").GetString());
        Assert.Contains("need a MAJOR release", reason.GetProperty("message").GetString());
        var change = Assert.Single(minor.GetProperty("changes").EnumerateArray());
        Assert.Equal(("major", "schema.titles.genre"), (change.GetProperty("class").GetString(), change.GetProperty("path").GetString()));
        Assert.Equal("active", major.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Publish_PolicyViolation_IsRejectedWithReasons()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var id = await Samples.RegisterAsync(writer, ct);
        var withEmail = Samples.Contract("1.0.0", c => c.Replace("      - name: genre\n", "      - name: email\n        logicalType: string\n        classification: pii\n      - name: genre\n"));

        (await Samples.PublishAsync(writer, id, Samples.Version("1.0.0", withEmail), "pii", ct)).Dispose();
        var verdict = await _registry.WaitForDecisionAsync(writer, id, "1.0.0", ct);

        Assert.Equal("rejected", verdict.GetProperty("status").GetString());
        var reason = Assert.Single(verdict.GetProperty("reasons").EnumerateArray());
        Assert.Equal(("policy", "pii-restricted"), (reason.GetProperty("kind").GetString(), reason.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task Publish_FiftyConcurrentRequestsWithOneKey_CreateExactlyOneVersion()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var id = await Samples.RegisterAsync(writer, ct);

        var responses = await Samples.PublishConcurrentlyAsync(writer, id, Enumerable.Range(0, 50).Select(_ => (Samples.Version("1.0.0"), "one-key")), ct);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.Status));
        Assert.Single(responses.Select(r => r.Location).Distinct());
        Assert.Single(await writer.GetFromJsonAsync<JsonElement[]>($"/data-products/{id}/versions", ct) ?? []);
    }

    [Fact]
    public async Task Publish_FiftyConcurrentContentsForOneNumber_OneWinsTheRestAre409()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var id = await Samples.RegisterAsync(writer, ct);

        var responses = await Samples.PublishConcurrentlyAsync(writer, id, Enumerable.Range(0, 50).Select(i =>
            (Samples.Version("1.0.0", Samples.Contract("1.0.0", c => c.Replace("genre", $"genre_{i}"))), $"key-{i}")), ct);

        Assert.Single(responses, r => r.Status == HttpStatusCode.Accepted);
        Assert.Equal(49, responses.Count(r => r.Status == HttpStatusCode.Conflict));
        Assert.Single(await writer.GetFromJsonAsync<JsonElement[]>($"/data-products/{id}/versions", ct) ?? []);
    }

    private static async Task<string> ErrorAsync(HttpResponseMessage response, string field, CancellationToken ct)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("errors").GetProperty(field)[0].GetString()!;
    }
}
