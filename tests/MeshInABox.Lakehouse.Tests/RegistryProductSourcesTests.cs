using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MeshInABox.Domain.Access;
using MeshInABox.Lakehouse.Engine.Query;
using MeshInABox.Lakehouse.Apis;
using MeshInABox.Lakehouse.Infrastructure;
using MeshInABox.ServiceDefaults.Locations;
using MeshInABox.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MeshInABox.ServiceDefaults;

namespace MeshInABox.Lakehouse.Tests;

/// <summary>Resolution against a registry that fails, lies or is asked about odd subjects (a fake registry, no network).</summary>
public sealed class RegistryProductSourcesTests
{
    private static readonly string Titles = Path.Combine(RepositoryLayout.SampleMesh, "content", "catalogue", "data", "titles.csv");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-01T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly FakeRegistry _registry = new();
    private readonly RegistryProductSources _sources;

    public RegistryProductSourcesTests()
    {
        _registry.Product("content.catalogue", "open", "titles", new { path = Titles });
        _registry.Product("subscriptions.subscribers", "restricted", "subscribers", new { path = "/nowhere.csv" });
        _sources = new RegistryProductSources(
            new HttpClient(_registry) { BaseAddress = new Uri("http://registry") },
            new LakehouseOptions { LakeRoot = Path.Combine(Path.GetTempPath(), "no-lake") },
            new ConfigurationBuilder().Build(),
            Options.Create(new LocationOptions { RepositoryRoots = [RepositoryLayout.SampleMesh] }),
            new RegistryCache(_time));
    }

    private Task<IReadOnlyDictionary<ProductReference, ResolvedProduct>> ResolveAsync(string domain, string product, string table, string? subject = null) =>
        _sources.ResolveAsync([ProductNames.Parse(domain, product, table)], subject, TestContext.Current.CancellationToken);

    [Fact]
    public async Task RegistryDown_OpenProduct_IsResolvedFromItsLastAnswer_ForTenMinutes()
    {
        await ResolveAsync("content", "catalogue", "titles");
        _registry.Failure = () => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        _time.Advance(TimeSpan.FromSeconds(3));

        var stale = await ResolveAsync("content", "catalogue", "titles");
        Assert.Equal("content.catalogue", stale.Values.Single().ProductId);

        _time.Advance(TimeSpan.FromMinutes(11));
        var error = await Assert.ThrowsAsync<QueryRejectedException>(() => ResolveAsync("content", "catalogue", "titles"));
        Assert.True(error.Unavailable, error.Message);
    }

    [Fact]
    public async Task RegistryUnreachable_UnknownProduct_IsUnavailable()
    {
        _registry.Failure = () => throw new HttpRequestException("Connection refused");

        var error = await Assert.ThrowsAsync<QueryRejectedException>(() => ResolveAsync("content", "catalogue", "titles"));

        Assert.True(error.Unavailable);
        Assert.Contains("registry cannot answer", error.Message);
    }

    [Fact]
    public async Task RegistryDown_RestrictedProduct_NeedsALiveGrantCheck()
    {
        _registry.Grant("subscriptions.subscribers", "alice");
        // The grant holds (the locator, pointing nowhere, is what is refused).
        Assert.DoesNotContain("is restricted", (await Assert.ThrowsAsync<QueryRejectedException>(() => ResolveAsync("subscriptions", "subscribers", "subscribers", "alice"))).Message);
        _registry.Failure = () => new HttpResponseMessage(HttpStatusCode.BadGateway);

        var error = await Assert.ThrowsAsync<QueryRejectedException>(() => ResolveAsync("subscriptions", "subscribers", "subscribers", "alice"));

        Assert.True(error.Unavailable, error.Message);
    }

    [Fact]
    public async Task GrantAnswer_ForAnotherSubjectOrProduct_IsNoGrant()
    {
        _registry.GrantAnswer = new { productId = "subscriptions.subscribers", subject = "bob" };

        var error = await Assert.ThrowsAsync<QueryRejectedException>(() => ResolveAsync("subscriptions", "subscribers", "subscribers", "alice"));

        Assert.True(error.Forbidden);
        Assert.Contains("/data-products/subscriptions.subscribers/grants/alice", _registry.Asked);
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("a/../b")]
    [InlineData("a?b")]
    public async Task SubjectBreakingTheRule_IsRefused_BeforeAnyGrantLookup(string subject)
    {
        var error = await Assert.ThrowsAsync<QueryRejectedException>(() => ResolveAsync("subscriptions", "subscribers", "subscribers", subject));

        Assert.True(error.Forbidden);
        Assert.DoesNotContain(_registry.Asked, path => path.Contains("/grants", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Subject_IsOneUrlEncodedSegment()
    {
        _registry.Grant("subscriptions.subscribers", "a+b@c|d");

        await Assert.ThrowsAsync<QueryRejectedException>(() => ResolveAsync("subscriptions", "subscribers", "subscribers", "a+b@c|d"));

        Assert.Contains("/data-products/subscriptions.subscribers/grants/a%2Bb%40c%7Cd", _registry.Asked);
    }

    [Fact]
    public async Task TableThatIsNoOutputOfTheProduct_IsUnknown()
    {
        var error = await Assert.ThrowsAsync<QueryRejectedException>(() => ResolveAsync("content", "catalogue", "secrets"));

        Assert.True(error.Unknown);
    }

    [Fact]
    public void Unavailable_IsA503_WithRetryAfter()
    {
        var context = new DefaultHttpContext();

        var result = QueryApi.Problem(new QueryRejectedException("down", unavailable: true), context);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, result.StatusCode);
        Assert.Equal("5", context.Response.Headers.RetryAfter.ToString());
    }

    private sealed class FakeRegistry : HttpMessageHandler
    {
        private readonly Dictionary<string, string> _answers = new(StringComparer.Ordinal);

        public Func<HttpResponseMessage>? Failure { get; set; }

        public object? GrantAnswer { get; set; }

        public List<string> Asked { get; } = [];

        public void Product(string id, string classification, string output, object location)
        {
            _answers[$"/data-products/{id}"] = JsonSerializer.Serialize(new { id, classification, owner = "team-x", outputs = new[] { new { name = output } } });
            _answers[$"/data-products/{id}/endpoints"] = JsonSerializer.Serialize(new[] { new { output, kind = "csv", location } });
        }

        public void Grant(string productId, string subject) =>
            _answers[$"/data-products/{productId}/grants/{Uri.EscapeDataString(subject)}"] = JsonSerializer.Serialize(new { productId, subject });

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.GetComponents(UriComponents.Path | UriComponents.KeepDelimiter, UriFormat.UriEscaped);
            Asked.Add(path);
            if (Failure is not null)
            {
                return Task.FromResult(Failure());
            }

            var body = GrantAnswer is not null && path.Contains("/grants/", StringComparison.Ordinal) ? JsonSerializer.Serialize(GrantAnswer)
                : _answers.TryGetValue(path, out var known) ? known : null;
            return Task.FromResult(body is null
                ? new HttpResponseMessage(HttpStatusCode.NotFound)
                : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        }
    }
}

/// <summary>The lakehouse service alone, its registry address pointing at a port nobody listens on.</summary>
public sealed class RegistryDownTests(PostgresServerFixture postgres)
{
    [Fact]
    public async Task RegistryDown_QueryIsA503WithRetryAfter_AndTheServiceStaysUp()
    {
        var ct = TestContext.Current.CancellationToken;
        var work = TemporaryDirectory.Create("mesh-registry-down-");
        try
        {
            var key = Path.Combine(work, "signing.key");
            ServiceDefaults.LocalSigningKey.EnsureExists(key);
            var settings = new Dictionary<string, string?>
            {
                ["ConnectionStrings:meshdb"] = await postgres.NewDatabaseAsync(nameof(RegistryDownTests)),
                ["Logging:LogLevel:Default"] = "Warning",
                ["Lakehouse:LakeRoot"] = Path.Combine(work, "lake"),
                ["Lakehouse:Auth:SigningKeyFile"] = key,
                ["services:registry:http:0"] = "http://127.0.0.1:9/",
            };
            int port;
            using (var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }

            await using var lakehouse = await Hosting.Services.EmbeddedService.StartAsync(
                Hosting.Services.MeshService.All.Single(s => s.Name == "lakehouse"), port, settings, ct);
            using var http = new HttpClient { BaseAddress = lakehouse.Url, Timeout = TimeSpan.FromMinutes(1) };

            using var response = await http.PostAsync(new Uri("/query", UriKind.Relative),
                new StringContent("""{"sql": "SELECT count(*) FROM content.catalogue.titles"}""", Encoding.UTF8, "application/json"), ct);

            var body = await response.Content.ReadAsStringAsync(ct);
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, body);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(response.Headers.RetryAfter);
            Assert.Contains("registry cannot answer", body);

            // Recorded as refused for now; usage is read without the registry.
            using var platform = new HttpClient { BaseAddress = lakehouse.Url };
            platform.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
                "Bearer", LocalTokens.Issue(key, "platform-admin", [MeshAccess.AnyDomain], [MeshAccess.WriteScope], TimeSpan.FromHours(1)));
            var records = await platform.GetFromJsonAsync<JsonElement>("/usage/queries?outcome=unavailable", ct);
            for (var attempt = 0; attempt < 100 && records.GetArrayLength() == 0; attempt++)
            {
                await Task.Delay(100, ct);
                records = await platform.GetFromJsonAsync<JsonElement>("/usage/queries?outcome=unavailable", ct);
            }

            var record = Assert.Single(records.EnumerateArray());
            Assert.Equal(503, record.GetProperty("statusCode").GetInt32());
            Assert.Equal("anonymous", record.GetProperty("subject").GetString());
            Assert.Contains("registry cannot answer", record.GetProperty("reason").GetString());
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
