using System.Net.Http.Json;
using System.Text.Json;
using MeshInABox.Testing;

namespace MeshInABox.Registry.Tests;

public sealed class OpenApiDocumentTests(PostgresServerFixture server) : IAsyncLifetime
{
    private RegistryHost _registry = null!;

    public async ValueTask InitializeAsync() => _registry = await RegistryHost.StartAsync(server, GetType());

    public ValueTask DisposeAsync() => _registry.DisposeAsync();

    [Fact]
    public async Task Document_Is31AndDescribesRoutesStatusesHeadersAndScopes()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = _registry.Anonymous();

        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", ct);
        using var ui = await client.GetAsync("/scalar/v1", ct);

        Assert.StartsWith("3.1", document.GetProperty("openapi").GetString());
        var paths = document.GetProperty("paths");
        Assert.Equal(
            ["/access-requests/{requestId}", "/access-requests/{requestId}/approve", "/access-requests/{requestId}/audit", "/access-requests/{requestId}/deny",
             "/access-requests/{requestId}/revoke", "/access-requests/approvals", "/access-requests/mine",
             "/api/v1/lineage", "/api/v1/lineage/events", "/data-products", "/data-products/{productId}", "/data-products/{productId}/access-requests", "/data-products/{productId}/columns/{column}/lineage", "/data-products/{productId}/credentials", "/data-products/{productId}/credentials/rotation", "/data-products/{productId}/deprecation", "/data-products/{productId}/endpoints",
             "/data-products/{productId}/endpoints/{output}", "/data-products/{productId}/grants", "/data-products/{productId}/grants/{subject}",
             "/data-products/{productId}/impact", "/data-products/{productId}/lineage", "/data-products/{productId}/retirement", "/data-products/{productId}/storage", "/data-products/{productId}/versions",
             "/data-products/{productId}/versions/{version}", "/events"],
            paths.EnumerateObject().Select(p => p.Name).Where(p => p != "/").Order());

        var register = paths.GetProperty("/data-products").GetProperty("post");
        Assert.Equal(["201", "400", "401", "403", "409"], register.GetProperty("responses").EnumerateObject().Select(r => r.Name).Order());
        Assert.True(register.GetProperty("responses").GetProperty("201").GetProperty("headers").TryGetProperty("Location", out _));
        Assert.Equal("dpr.write", register.GetProperty("security")[0].GetProperty("oidc")[0].GetString());

        var publish = paths.GetProperty("/data-products/{productId}/versions").GetProperty("post");
        Assert.Contains(publish.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "Idempotency-Key" && p.GetProperty("in").GetString() == "header");
        Assert.Equal(["202", "400", "401", "403", "404", "409", "422"], publish.GetProperty("responses").EnumerateObject().Select(r => r.Name).Order());
        Assert.True(publish.GetProperty("responses").GetProperty("202").GetProperty("headers").TryGetProperty("Location", out _));

        var lineage = paths.GetProperty("/api/v1/lineage").GetProperty("post");
        Assert.Equal(["200", "400", "401", "403", "413"], lineage.GetProperty("responses").EnumerateObject().Select(r => r.Name).Order());
        Assert.Equal("dpr.write", lineage.GetProperty("security")[0].GetProperty("oidc")[0].GetString());
        Assert.True(lineage.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
        Assert.Equal(["200", "400"], paths.GetProperty("/api/v1/lineage/events").GetProperty("get").GetProperty("responses").EnumerateObject().Select(r => r.Name).Order());

        var request = paths.GetProperty("/data-products/{productId}/access-requests").GetProperty("post");
        Assert.Equal(["200", "201", "400", "401", "404", "409"], request.GetProperty("responses").EnumerateObject().Select(r => r.Name).Order());
        Assert.Equal(["200", "400", "401", "403", "404", "409"],
            paths.GetProperty("/access-requests/{requestId}/approve").GetProperty("post").GetProperty("responses").EnumerateObject().Select(r => r.Name).Order());

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("oidc");
        Assert.Equal("openIdConnect", scheme.GetProperty("type").GetString());
        Assert.True(ui.IsSuccessStatusCode);
    }
}
