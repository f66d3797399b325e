using System.Net;
using System.Net.Http.Json;
using System.Text;
using MeshInABox.Testing;

namespace MeshInABox.Registry.Tests;

/// <summary>The edge every service shares (ServiceDefaults' conventions), seen through the registry.</summary>
public sealed class ApiConventionsTests(PostgresServerFixture server) : IAsyncLifetime
{
    private RegistryHost _registry = null!;

    public async ValueTask InitializeAsync() => _registry = await RegistryHost.StartAsync(server, GetType());

    public ValueTask DisposeAsync() => _registry.DisposeAsync();

    [Fact]
    public async Task FrameworkErrors_UnmatchedRouteWrongMethodAndWrongContentType_AreProblems()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");

        using var unmatched = await writer.GetAsync("/no-such-resource", ct);
        using var wrongMethod = await writer.DeleteAsync("/data-products", ct);
        using var wrongType = await writer.PostAsync("/data-products", new StringContent("name=x", Encoding.UTF8, "text/plain"), ct);

        await ProblemAssert.IsProblemAsync(unmatched, HttpStatusCode.NotFound, ct);
        await ProblemAssert.IsProblemAsync(wrongMethod, HttpStatusCode.MethodNotAllowed, ct);
        await ProblemAssert.IsProblemAsync(wrongType, HttpStatusCode.UnsupportedMediaType, ct);
    }

    [Theory]
    [MemberData(nameof(InvalidTokenKinds))]
    public async Task InvalidToken_OnOpenReadAndOnWrite_Is401ProblemWithChallenge(string kind)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = _registry.WithToken(InvalidTokens.Make(kind, _registry.SigningKeyFile));

        using var read = await client.GetAsync("/data-products", ct);
        using var write = await client.PostAsJsonAsync("/data-products", Samples.Product(Samples.NewName()), ct);

        foreach (var response in new[] { read, write })
        {
            await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, ct);
            Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        }
    }

    [Fact]
    public async Task ValidToken_OnOpenRead_IsStill200()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");

        using var read = await writer.GetAsync("/data-products", ct);

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    [Theory]
    [InlineData("/data-products/content.a%01b", "path", "U+0001")]
    [InlineData("/data-products?q=a%00b", "query string", "U+0000")]
    [InlineData("/data-products?q=a%1Bb", "query string", "U+001B")]
    public async Task ControlCharacterInTheUrl_Is400ProblemNamingIt(string url, string part, string character)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = _registry.Anonymous();

        using var response = await client.GetAsync(url, ct);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, ct);
        var detail = problem.GetProperty("detail").GetString();
        Assert.Contains(part, detail);
        Assert.Contains(character, detail);
    }

    [Fact]
    public async Task NulInAJsonString_Is400ProblemNamingTheField_AndStoresNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var name = Samples.NewName();
        var body = $$"""{"name":"{{name}}","domain":"content","owner":"o","description":"before\u0000after"}""";

        using var response = await writer.PostAsync("/data-products", new StringContent(body, Encoding.UTF8, "application/json"), ct);
        using var lookup = await writer.GetAsync($"/data-products/{Samples.IdOf(name)}", ct);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, ct);
        Assert.True(problem.GetProperty("errors").TryGetProperty("$.description", out _), problem.ToString());
        Assert.Equal(HttpStatusCode.NotFound, lookup.StatusCode);
    }

    [Fact]
    public async Task NulInsideAJsonElementProperty_Is400ProblemNamingThePath()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var body = """{"version":"1.0.0","contract":{"info":{"title":"ok"},"schema":[{"name":"x"},{"name":"bad\u0000"}]}}""";

        using var response = await writer.PostAsync("/data-products/content.anything/versions", new StringContent(body, Encoding.UTF8, "application/json"), ct);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, ct);
        Assert.True(problem.GetProperty("errors").TryGetProperty("$.contract.schema[1].name", out _), problem.ToString());
    }

    [Fact]
    public async Task UrlOverTheLimit_Is414Problem()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = _registry.Anonymous();

        using var response = await client.GetAsync("/data-products?q=" + new string('a', 9 * 1024), ct);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestUriTooLong, ct);
        Assert.Contains("8192", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task HeadersOverTheLimit_Is431Problem()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = _registry.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/data-products");
        request.Headers.Add("X-Padding", new string('p', 40 * 1024));

        using var response = await client.SendAsync(request, ct);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestHeaderFieldsTooLarge, ct);
    }

    public static TheoryData<string> InvalidTokenKinds => [.. InvalidTokens.Kinds];
}
