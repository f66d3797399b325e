using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MeshInABox.Domain.Access;
using MeshInABox.Testing;

namespace MeshInABox.Registry.Tests;

public sealed class DataProductsApiTests(PostgresServerFixture server) : IAsyncLifetime
{
    private RegistryHost _registry = null!;

    public async ValueTask InitializeAsync() => _registry = await RegistryHost.StartAsync(server, GetType());

    public ValueTask DisposeAsync() => _registry.DisposeAsync();

    [Fact]
    public async Task Register_Returns201WithLocation_AndTheSameIdAgainIs409()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var name = Samples.NewName();

        using var created = await writer.PostAsJsonAsync("/data-products", Samples.Product(name), ct);
        using var again = await writer.PostAsJsonAsync("/data-products", Samples.Product(name), ct);

        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync(ct));
        Assert.Equal($"/data-products/{Samples.IdOf(name)}", created.Headers.Location!.OriginalString);
        var product = await created.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.Equal("active", product.GetProperty("status").GetString());
        Assert.Equal("open", product.GetProperty("classification").GetString());
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType!.MediaType);
        Assert.Contains("already registered", (await again.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Register_MissingAndInvalidFields_ReturnsOneProblemWithEachField()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");

        using var response = await writer.PostAsJsonAsync("/data-products", new { name = "x", domain = "content", classification = "secret", outputs = new[] { new { name = "t", kind = "parquet" } } }, ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("errors");
        Assert.Contains("'owner' is required.", errors.GetProperty("owner")[0].GetString());
        Assert.True(errors.TryGetProperty("description", out _));
        Assert.Contains("'secret' is not a classification", errors.GetProperty("classification")[0].GetString());
        Assert.Contains("'parquet' is not an output kind", errors.GetProperty("outputs[0].kind")[0].GetString());
    }

    [Theory]
    [InlineData("{\"name\": \"x\",", "$")]
    [InlineData("{\"name\": 42, \"domain\": \"content\", \"owner\": \"o\", \"description\": \"d\"}", "name")]
    [InlineData("{\"name\": \"x\", \"tags\": [\"a\", 7]}", "tags[1]")]
    public async Task Register_MalformedJsonOrWrongType_NamesTheField(string body, string field)
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");

        using var response = await writer.PostAsync("/data-products", new StringContent(body, Encoding.UTF8, "application/json"), ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.Contains("line 1", problem.GetProperty("errors").GetProperty(field)[0].GetString());
    }

    [Fact]
    public async Task Register_BodyOverTheLimit_Is413AndStoresNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var name = Samples.NewName();
        var huge = new { name, domain = "content", owner = "o", description = new string('x', 2 * 1024 * 1024) };

        using var response = await writer.PostAsJsonAsync("/data-products", huge, ct);
        using var lookup = await writer.GetAsync($"/data-products/{Samples.IdOf(name)}", ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, lookup.StatusCode);
    }

    [Fact]
    public async Task Register_WithoutTokenWithReadScopeOrForAnotherDomain_IsRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        using var anonymous = _registry.Anonymous();
        using var reader = _registry.WithToken(_registry.Token(["content"], MeshAccess.ReadScope));
        using var otherDomain = _registry.Writer("subscriptions");
        using var forged = _registry.WithToken(_registry.Token(["content"], MeshAccess.WriteScope) + "x");

        using var noToken = await anonymous.PostAsJsonAsync("/data-products", Samples.Product(Samples.NewName()), ct);
        using var readOnly = await reader.PostAsJsonAsync("/data-products", Samples.Product(Samples.NewName()), ct);
        using var wrongDomain = await otherDomain.PostAsJsonAsync("/data-products", Samples.Product(Samples.NewName()), ct);
        using var badSignature = await forged.PostAsJsonAsync("/data-products", Samples.Product(Samples.NewName()), ct);

        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        Assert.Equal("application/problem+json", noToken.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.Forbidden, readOnly.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, wrongDomain.StatusCode);
        Assert.Contains("not of 'content'", (await wrongDomain.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, badSignature.StatusCode);
    }

    [Fact]
    public async Task Search_ByTextDomainOwnerTagAndStatus_WithPaging()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("*");
        var marker = "zebra" + Guid.NewGuid().ToString("N")[..6];
        for (var i = 0; i < 3; i++)
        {
            using var created = await writer.PostAsJsonAsync("/data-products", new
            {
                name = $"{marker} {i}", domain = i == 2 ? "sales" : "content", owner = i == 0 ? "team-red" : "team-blue",
                description = "Searchable product for paging tests.", tags = new[] { marker, $"n{i}" },
            }, ct);
            created.EnsureSuccessStatusCode();
        }

        var byText = await writer.GetFromJsonAsync<JsonElement>($"/data-products?q={marker}&pageSize=2", ct);
        var secondPage = await writer.GetFromJsonAsync<JsonElement>($"/data-products?q={marker}&pageSize=2&page=2", ct);
        var byDomain = await writer.GetFromJsonAsync<JsonElement>($"/data-products?q={marker}&domain=sales", ct);
        var byOwner = await writer.GetFromJsonAsync<JsonElement>($"/data-products?tag={marker}&owner=team-red", ct);
        var byTag = await writer.GetFromJsonAsync<JsonElement>($"/data-products?tag=n1&q={marker}", ct);
        var retired = await writer.GetFromJsonAsync<JsonElement>($"/data-products?q={marker}&status=retired", ct);
        using var badPage = await writer.GetAsync("/data-products?pageSize=5000&status=gone", ct);

        Assert.Equal(3, byText.GetProperty("total").GetInt64());
        Assert.Equal(2, byText.GetProperty("items").GetArrayLength());
        Assert.Equal(1, secondPage.GetProperty("items").GetArrayLength());
        Assert.Equal($"sales.{marker}-2", byDomain.GetProperty("items")[0].GetProperty("id").GetString());
        Assert.Equal($"content.{marker}-0", Assert.Single(byOwner.GetProperty("items").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal($"content.{marker}-1", Assert.Single(byTag.GetProperty("items").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(0, retired.GetProperty("total").GetInt64());
        Assert.Equal(HttpStatusCode.BadRequest, badPage.StatusCode);
        var errors = (await badPage.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("pageSize", out _) && errors.TryGetProperty("status", out _));
    }

    [Fact]
    public async Task Get_UnknownProduct_Is404Problem_AndReadsNeedNoToken()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var id = await Samples.RegisterAsync(writer, ct);
        using var anonymous = _registry.Anonymous();

        using var known = await anonymous.GetAsync($"/data-products/{id}", ct);
        using var unknown = await anonymous.GetAsync("/data-products/content.nothing-here", ct);

        Assert.Equal(HttpStatusCode.OK, known.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("No data product 'content.nothing-here'", (await unknown.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Endpoints_RecordedByTheStoragePlane_NeverHoldSecrets()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var id = await Samples.RegisterAsync(writer, ct);

        using var withSecret = await writer.PutAsJsonAsync($"/data-products/{id}/endpoints/titles",
            new { kind = "postgres", location = new { host = "db", database = "content", password = "hunter2" } }, ct);
        using var unknownOutput = await writer.PutAsJsonAsync($"/data-products/{id}/endpoints/nope",
            new { kind = "postgres", location = new { host = "db" } }, ct);
        using var stored = await writer.PutAsJsonAsync($"/data-products/{id}/endpoints/titles",
            new { kind = "csv", location = new { path = Samples.FileIn(id, "data/titles-2.csv") } }, ct);
        var endpoints = await writer.GetFromJsonAsync<JsonElement>($"/data-products/{id}/endpoints", ct);

        Assert.Equal(HttpStatusCode.BadRequest, withSecret.StatusCode);
        Assert.Contains("looks like a credential", (await withSecret.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("errors").GetProperty("location")[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, unknownOutput.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, stored.StatusCode);
        var endpoint = Assert.Single(endpoints.EnumerateArray());
        Assert.EndsWith("/data/titles-2.csv", endpoint.GetProperty("location").GetProperty("path").GetString());
    }

    [Fact]
    public async Task Reads_RequireTheReadScope_WhenConfigured()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var strict = await RegistryHost.StartAsync(server, GetType(), new Dictionary<string, string> { ["Registry:Auth:RequireReadScope"] = "true" });
        using var anonymous = strict.Anonymous();
        using var reader = strict.WithToken(strict.Token(["content"], MeshAccess.ReadScope));

        using var refused = await anonymous.GetAsync("/data-products", ct);
        using var allowed = await reader.GetAsync("/data-products", ct);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task Grants_OwningDomainGrantsAndRevokes_OthersCannot()
    {
        var ct = TestContext.Current.CancellationToken;
        using var owner = _registry.Writer("content");
        using var stranger = _registry.Writer("subscriptions");
        using var anonymous = _registry.Anonymous();
        var id = await Samples.RegisterAsync(owner, ct, classification: "restricted");

        using var byStranger = await stranger.PutAsync($"/data-products/{id}/grants/alice", null, ct);
        using var byAnonymous = await anonymous.PutAsync($"/data-products/{id}/grants/alice", null, ct);
        using var granted = await owner.PutAsync($"/data-products/{id}/grants/alice", null, ct);
        using var again = await owner.PutAsync($"/data-products/{id}/grants/alice", null, ct);
        using var check = await anonymous.GetAsync($"/data-products/{id}/grants/alice", ct);
        using var revoked = await owner.DeleteAsync($"/data-products/{id}/grants/alice", ct);
        using var gone = await anonymous.GetAsync($"/data-products/{id}/grants/alice", ct);
        using var revokeMissing = await owner.DeleteAsync($"/data-products/{id}/grants/alice", ct);
        using var unknownProduct = await owner.PutAsync("/data-products/content.nothing/grants/alice", null, ct);

        Assert.Equal(HttpStatusCode.Forbidden, byStranger.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, byAnonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("test-user", (await check.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("grantedBy").GetString());
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, revokeMissing.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownProduct.StatusCode);
    }
}
