using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MeshInABox.Testing;

namespace MeshInABox.Registry.Tests;

/// <summary>
/// Every write to a registered product answers in one order: 404 for an unknown product, then 403 for another
/// domain's, then 400 for the request itself, whatever the body holds.
/// </summary>
public sealed class ProductWriteOrderTests(PostgresServerFixture server) : IAsyncLifetime
{
    private const string UnknownProduct = "content.nothing-registered";

    private RegistryHost _registry = null!;

    public async ValueTask InitializeAsync() => _registry = await RegistryHost.StartAsync(server, GetType());

    public ValueTask DisposeAsync() => _registry.DisposeAsync();

    /// <summary>Each write route, with a request it refuses as invalid (null: the route takes no body).</summary>
    public static TheoryData<string, string, string?> WriteRoutes() => new()
    {
        { "POST", "deprecation", "{}" },
        { "POST", "retirement", null },
        { "POST", "versions", "{}" },
        { "PUT", "endpoints/titles", "{}" },
        { "PUT", "grants/not%20a%20subject", null },
        { "DELETE", "grants/not%20a%20subject", null },
    };

    [Theory]
    [MemberData(nameof(WriteRoutes))]
    public async Task UnknownProduct_Is404_BeforeTheDomainAndTheBodyAreChecked(string method, string route, string? invalidBody)
    {
        var ct = TestContext.Current.CancellationToken;
        using var otherDomain = _registry.Writer("subscriptions");

        using var response = await SendAsync(otherDomain, method, $"/data-products/{UnknownProduct}/{route}", invalidBody, ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.Equal("Unknown product", problem.GetProperty("title").GetString());
    }

    [Theory]
    [MemberData(nameof(WriteRoutes))]
    public async Task OtherDomainsProduct_Is403_BeforeTheBodyIsChecked(string method, string route, string? invalidBody)
    {
        var ct = TestContext.Current.CancellationToken;
        using var owner = _registry.Writer("content");
        using var otherDomain = _registry.Writer("subscriptions");
        var id = await Samples.RegisterAsync(owner, ct);

        using var response = await SendAsync(otherDomain, method, $"/data-products/{id}/{route}", invalidBody, ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.Equal("Other domain", problem.GetProperty("title").GetString());
        Assert.Contains("not of 'content'", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [MemberData(nameof(WriteRoutes))]
    public async Task OwnProduct_InvalidRequest_Is400(string method, string route, string? invalidBody)
    {
        var ct = TestContext.Current.CancellationToken;
        using var owner = _registry.Writer("content");
        var id = await Samples.RegisterAsync(owner, ct);

        using var response = await SendAsync(owner, method, $"/data-products/{id}/{route}", invalidBody, ct);

        // Retiring takes no request to get wrong: an active product is refused as not deprecated.
        Assert.Equal(route == "retirement" ? HttpStatusCode.Conflict : HttpStatusCode.BadRequest, response.StatusCode);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string path, string? body, CancellationToken ct)
    {
        // No Idempotency-Key header: publishing without one is an invalid request too.
        using var request = new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"),
        };
        return await client.SendAsync(request, ct);
    }
}
