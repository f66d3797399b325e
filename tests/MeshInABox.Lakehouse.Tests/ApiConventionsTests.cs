using System.Net;
using System.Text;
using MeshInABox.Hosting.State;
using MeshInABox.Testing;

namespace MeshInABox.Lakehouse.Tests;

/// <summary>One running mesh (real Kestrel on loopback) for the convention tests: they only read.</summary>
public sealed class ConventionsMesh(PostgresServerFixture postgres) : IAsyncLifetime
{
    public RunningMesh Mesh { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Mesh = await RunningMesh.StartAsync(postgres, nameof(ApiConventionsTests));

    public ValueTask DisposeAsync() => Mesh.DisposeAsync();
}

/// <summary>The edge ServiceDefaults gives every service, through Kestrel as both hosts run it.</summary>
public sealed class ApiConventionsTests(ConventionsMesh fixture) : IClassFixture<ConventionsMesh>
{

    private RunningMesh Mesh => fixture.Mesh;

    public static TheoryData<string> Services => ["registry", "lakehouse"];

    public static TheoryData<string> InvalidTokenKinds => [.. InvalidTokens.Kinds];

    [Theory]
    [MemberData(nameof(Services))]
    public async Task UrlOverTheLimit_ButUnderKestrels_Is414Problem(string service)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Mesh.Client(service, token: null);

        using var response = await client.GetAsync("/health?q=" + new string('a', 10 * 1024), ct);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestUriTooLong, ct);
        Assert.Contains("at most 8192", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task HeadersOverTheLimit_ButUnderKestrels_Is431Problem(string service)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Mesh.Client(service, token: null);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
        request.Headers.Add("X-Padding", new string('p', 40 * 1024));

        using var response = await client.SendAsync(request, ct);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestHeaderFieldsTooLarge, ct);
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task NulOrControlCharacterInTheUrl_Is400(string service)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Mesh.Client(service, token: null);

        using var inQuery = await client.GetAsync("/health?q=a%00b", ct);
        using var inPath = await client.GetAsync("/a%07b", ct);
        using var nulInPath = await client.GetAsync("/a%00b", ct);

        Assert.Contains("U+0000", (await ProblemAssert.IsProblemAsync(inQuery, HttpStatusCode.BadRequest, ct)).GetProperty("detail").GetString());
        Assert.Contains("U+0007", (await ProblemAssert.IsProblemAsync(inPath, HttpStatusCode.BadRequest, ct)).GetProperty("detail").GetString());
        // Kestrel refuses a decoded NUL in the path itself, before any middleware runs: a 400 without a body.
        Assert.Equal(HttpStatusCode.BadRequest, nulInPath.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task UnmatchedRoute_Is404Problem(string service)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Mesh.Client(service, token: null);

        using var response = await client.GetAsync("/no-such-resource", ct);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, ct);
    }

    [Theory]
    [MemberData(nameof(InvalidTokenKinds))]
    public async Task InvalidToken_OnAnonymousQuery_Is401ProblemWithChallenge(string kind)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Mesh.Client("lakehouse", InvalidTokens.Make(kind, SigningKeyFile));

        using var response = await client.PostAsync("/query", Json("""{"sql":"SELECT 1 FROM content.catalogue.titles"}"""), ct);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, ct);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        Assert.Equal("Invalid bearer token", problem.GetProperty("title").GetString());
    }

    [Theory]
    [MemberData(nameof(InvalidTokenKinds))]
    public async Task InvalidToken_OnOpenRegistryRead_Is401Problem(string kind)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Mesh.Client("registry", InvalidTokens.Make(kind, SigningKeyFile));

        using var response = await client.GetAsync("/data-products", ct);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, ct);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    [Fact]
    public async Task Query_WrongContentTypeMalformedJsonAndNul_AreProblems()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Mesh.Client("lakehouse", token: null);

        using var wrongType = await client.PostAsync("/query", new StringContent("SELECT 1", Encoding.UTF8, "text/plain"), ct);
        using var malformed = await client.PostAsync("/query", Json("""{"sql": "SELECT 1" """), ct);
        using var nul = await client.PostAsync("/query", Json("""{"sql":"SELECT 'a\u0000b'"}"""), ct);

        await ProblemAssert.IsProblemAsync(wrongType, HttpStatusCode.UnsupportedMediaType, ct);
        await ProblemAssert.IsProblemAsync(malformed, HttpStatusCode.BadRequest, ct);
        var problem = await ProblemAssert.IsProblemAsync(nul, HttpStatusCode.BadRequest, ct);
        Assert.True(problem.GetProperty("errors").TryGetProperty("$.sql", out _), problem.ToString());
    }

    [Fact]
    public async Task Query_BodyOverTheLimit_Is413Problem()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Mesh.Client("lakehouse", token: null);

        using var response = await client.PostAsync("/query", Json($$"""{"sql":"SELECT '{{new string('x', 2 * 1024 * 1024)}}'"}"""), ct);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, ct);
    }

    private string SigningKeyFile => MeshState.SigningKeyPath(Path.GetDirectoryName(Mesh.LakeRoot)!);

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
