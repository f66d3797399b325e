using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MeshInABox.Domain.Profiles;
using MeshInABox.Testing;

namespace MeshInABox.Lakehouse.Tests;

/// <summary>The lakehouse's OpenAPI document and API reference UI, as a running mesh serves them.</summary>
public sealed class OpenApiDocumentTests(ConventionsMesh fixture) : IClassFixture<ConventionsMesh>
{
    private RunningMesh Mesh => fixture.Mesh;

    [Fact]
    public async Task Document_DescribesQueryWithItsMediaTypesProblemsAndOptionalBearer()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Mesh.Client("lakehouse", token: null);

        using var response = await client.GetAsync(MeshTopology.OpenApiDocumentPath, ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var document = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.StartsWith("3.1", document.GetProperty("openapi").GetString());
        Assert.Equal(
            ["/alive", "/health", "/query", "/usage/products", "/usage/products/{productId}", "/usage/queries"],
            document.GetProperty("paths").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

        var query = document.GetProperty("paths").GetProperty("/query").GetProperty("post");
        var body = query.GetProperty("requestBody");
        Assert.True(body.GetProperty("required").GetBoolean());
        var request = document.GetProperty("components").GetProperty("schemas").GetProperty("QueryRequest");
        Assert.Equal(["sql"], request.GetProperty("properties").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["sql"], request.GetProperty("required").EnumerateArray().Select(r => r.GetString()));

        var responses = query.GetProperty("responses");
        Assert.Equal(["200", "400", "401", "403", "404", "413", "414", "415", "429", "503"], responses.EnumerateObject().Select(r => r.Name).Order(StringComparer.Ordinal));
        Assert.Equal(
            ["application/vnd.apache.arrow.stream", "application/x-ndjson", "text/csv"],
            responses.GetProperty("200").GetProperty("content").EnumerateObject().Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.True(responses.GetProperty("200").GetProperty("headers").TryGetProperty("X-Mesh-Row-Limit", out _));
        foreach (var problem in responses.EnumerateObject().Where(r => r.Name != "200"))
        {
            Assert.True(problem.Value.GetProperty("content").TryGetProperty("application/problem+json", out _), $"{problem.Name} is no problem");
            Assert.False(string.IsNullOrWhiteSpace(problem.Value.GetProperty("description").GetString()));
        }

        Assert.True(responses.GetProperty("429").GetProperty("headers").TryGetProperty("Retry-After", out _));
        Assert.True(responses.GetProperty("503").GetProperty("headers").TryGetProperty("Retry-After", out _));

        // Anonymous or a bearer token.
        var security = query.GetProperty("security").EnumerateArray().ToList();
        Assert.Equal(2, security.Count);
        Assert.Empty(security[0].EnumerateObject());
        Assert.True(security[1].TryGetProperty("bearer", out _));
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
    }

    [Fact]
    public async Task Document_UsageNeedsABearerToken_HealthIsListed()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Mesh.Client("lakehouse", token: null);

        var document = await client.GetFromJsonAsync<JsonElement>(MeshTopology.OpenApiDocumentPath, ct);

        foreach (var path in new[] { "/usage/products", "/usage/products/{productId}", "/usage/queries" })
        {
            var operation = document.GetProperty("paths").GetProperty(path).GetProperty("get");
            Assert.True(Assert.Single(operation.GetProperty("security").EnumerateArray()).TryGetProperty("bearer", out _), path);
            Assert.True(operation.GetProperty("responses").TryGetProperty("401", out _), path);
            Assert.True(operation.GetProperty("responses").TryGetProperty("503", out _), path);
        }

        var outcomes = document.GetProperty("components").GetProperty("schemas").GetProperty("QueryRecord").GetProperty("properties").GetProperty("outcome").GetProperty("enum");
        Assert.Contains("throttled", outcomes.EnumerateArray().Select(o => o.GetString()));
        var health = document.GetProperty("paths").GetProperty(MeshTopology.HealthPath).GetProperty("get").GetProperty("responses");
        Assert.Equal(["200", "503"], health.EnumerateObject().Select(r => r.Name));
    }

    [Fact]
    public async Task Document_ListsEveryProblemStatusQueryReallyAnswers()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Mesh.Client("lakehouse", token: null);
        var documented = (await client.GetFromJsonAsync<JsonElement>(MeshTopology.OpenApiDocumentPath, ct))
            .GetProperty("paths").GetProperty("/query").GetProperty("post").GetProperty("responses").EnumerateObject().Select(r => r.Name).ToHashSet();

        var answered = new List<int>();
        foreach (var message in new Func<HttpRequestMessage>[]
        {
            () => Json("""{"sql": "SELEC 1"}"""),
            () => Json("""{"sql": "SELECT * FROM read_csv('/etc/passwd')"}"""),
            () => Json("""{"sql": "SELECT * FROM content.nothing.here"}"""),
            () => Json(JsonSerializer.Serialize(new { sql = "SELECT 1 -- " + new string('x', 2 * 1024 * 1024) })),
            () => new HttpRequestMessage(HttpMethod.Post, "/query?q=" + new string('a', 10 * 1024)) { Content = new StringContent("{}", Encoding.UTF8, "application/json") },
            () => new HttpRequestMessage(HttpMethod.Post, "/query") { Content = new StringContent("SELECT 1", Encoding.UTF8, "text/plain") },
        })
        {
            using var request = message();
            using var response = await client.SendAsync(request, ct);
            await ProblemAssert.IsProblemAsync(response, response.StatusCode, ct);
            answered.Add((int)response.StatusCode);
        }

        using var badToken = Mesh.Client("lakehouse", "not-a-token");
        using (var refused = await badToken.SendAsync(Json("""{"sql": "SELECT 1"}"""), ct))
        {
            answered.Add((int)refused.StatusCode);
        }

        Assert.Equal([400, 403, 404, 413, 414, 415, 401], answered);
        Assert.All(answered, status => Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), documented));
    }

    [Theory]
    [InlineData("registry")]
    [InlineData("lakehouse")]
    public async Task ApiReference_AnswersWhereTheCliPointsTo(string service)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Mesh.Client(service, token: null);

        using var ui = await client.GetAsync(MeshTopology.ApiReferencePath, ct);

        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
        Assert.Equal("text/html", ui.Content.Headers.ContentType?.MediaType);
    }

    private static HttpRequestMessage Json(string body) => new(HttpMethod.Post, "/query") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
}
