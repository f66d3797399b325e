using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using MeshInABox.Domain.Profiles;
using MeshInABox.Registry.Portal;
using MeshInABox.Testing;
using Npgsql;

namespace MeshInABox.Registry.Tests;

/// <summary>The catalog portal served by the registry: search, pages, hostile input, the pinned htmx, and the iteration-0 listing.</summary>
public sealed class CatalogPortalTests(PostgresServerFixture server) : IAsyncLifetime
{
    private RegistryHost _registry = null!;

    public async ValueTask InitializeAsync() => _registry = await RegistryHost.StartAsync(server, GetType());

    public ValueTask DisposeAsync() => _registry.DisposeAsync();

    [Fact]
    public async Task Search_FindsProductsByNameAndByCurrentColumn_NameMatchesFirst()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var marker = "zq" + Guid.NewGuid().ToString("N")[..8];
        var byName = await RegisterPublishedAsync(writer, "content", $"{marker} titles", ct);
        var byColumn = await RegisterPublishedAsync(writer, "content", "titles " + Guid.NewGuid().ToString("N")[..8], ct);
        await AddColumnAsync(byColumn, "titles", $"{marker}_score", ct);

        var html = await _registry.Anonymous().GetStringAsync($"/catalog/search?q={marker}", ct);

        Assert.Contains($"href=\"/catalog/products/{byName}\"", html);
        Assert.Contains($"href=\"/catalog/products/{byColumn}\"", html);
        Assert.True(html.IndexOf(byName, StringComparison.Ordinal) < html.IndexOf(byColumn, StringComparison.Ordinal), "a name match ranks before a column match");
        Assert.Contains($"columns: {marker}_score", html);
    }

    [Fact]
    public async Task Search_TakesWildcardsLiterally_AndRefusesOverlongText()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        await RegisterPublishedAsync(writer, "content", "titles " + Guid.NewGuid().ToString("N")[..8], ct);

        var wildcard = await _registry.Anonymous().GetStringAsync("/catalog/search?q=%25%25_", ct);
        using var overlong = await _registry.Anonymous().GetAsync("/catalog/search?q=" + new string('a', CatalogStore.MaxQueryLength + 1), ct);
        using var overlongPage = await _registry.Anonymous().GetAsync("/catalog?q=" + new string('a', CatalogStore.MaxQueryLength + 1), ct);

        Assert.Contains("Nothing matches", wildcard);
        Assert.Equal(HttpStatusCode.BadRequest, overlong.StatusCode);
        Assert.Contains("at most 100 characters", await overlong.Content.ReadAsStringAsync(ct));
        Assert.Equal(HttpStatusCode.BadRequest, overlongPage.StatusCode);
    }

    [Fact]
    public async Task ProductPage_ShowsFactsAndSchemaTable_WithUserTextEncoded()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var name = Samples.NewName();
        var product = JsonSerializer.SerializeToElement(Samples.Product(name));
        var body = JsonSerializer.Deserialize<Dictionary<string, object>>(product.GetRawText())!;
        body["description"] = "<script>alert('x')</script> every title Messflix streams, with its genre";
        (await writer.PostAsJsonAsync("/data-products", body, ct)).EnsureSuccessStatusCode();
        var id = Samples.IdOf(name);
        await PublishAsync(writer, id, ct);

        using var response = await _registry.Anonymous().GetAsync($"/catalog/products/{id}", ct);
        var html = await response.Content.ReadAsStringAsync(ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; every title Messflix streams", html);
        Assert.DoesNotContain("<script>alert", html);
        Assert.Contains("team-yellow", html);
        Assert.Contains("<caption>titles</caption>", html);
        Assert.Contains(">release_year<", html);
        Assert.Contains("default-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Theory]
    [InlineData("/catalog/products/content.nothing-here")]
    [InlineData("/catalog/products/..%2F..%2Fetc%2Fpasswd")]
    [InlineData("/catalog/products/%252E%252E")]
    [InlineData("/catalog/domains/no-such-domain")]
    [InlineData("/catalog/products/content.nothing-here/contract")]
    [InlineData("/catalog/assets/..%2Fappsettings.json")]
    public async Task UnknownOrHostilePaths_Are404(string path)
    {
        using var response = await _registry.Anonymous().GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Htmx_IsServedAsPinned_ByTheLockAndTheVendorRecord()
    {
        var ct = TestContext.Current.CancellationToken;
        var portal = Path.Combine(RepositoryLayout.Root, "src", "MeshInABox.Registry", "Portal");
        using var vendor = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(portal, "vendor.json"), ct));
        using var lockFile = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(portal, "package-lock.json"), ct));
        var pinned = vendor.RootElement.GetProperty("htmx.org");
        var locked = lockFile.RootElement.GetProperty("packages").GetProperty("node_modules/htmx.org");

        var served = await _registry.Anonymous().GetByteArrayAsync("/catalog/assets/htmx.min.js", ct);
        var page = await _registry.Anonymous().GetStringAsync("/catalog", ct);

        Assert.Equal(locked.GetProperty("version").GetString(), pinned.GetProperty("version").GetString());
        Assert.Equal(locked.GetProperty("integrity").GetString(), pinned.GetProperty("integrity").GetString());
        Assert.StartsWith("2.", pinned.GetProperty("version").GetString());
        var sha384 = "sha384-" + Convert.ToBase64String(SHA384.HashData(served));
        Assert.Equal(pinned.GetProperty("sha384").GetString(), sha384);
        Assert.Contains($"integrity=\"{sha384}\"", WebUtility.HtmlDecode(page));
    }

    [Fact]
    public async Task Home_ListsDomains_AndSearchesWithoutScriptToo()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("advertising");
        var id = await RegisterPublishedAsync(writer, "advertising", "spots " + Guid.NewGuid().ToString("N")[..8], ct);

        var home = await _registry.Anonymous().GetStringAsync("/catalog", ct);
        var searched = await _registry.Anonymous().GetStringAsync($"/catalog?q={Uri.EscapeDataString(id)}", ct);
        var domain = await _registry.Anonymous().GetStringAsync("/catalog/domains/advertising", ct);

        Assert.Contains("href=\"/catalog/domains/advertising\"", home);
        Assert.Contains("hx-trigger=\"input changed delay:200ms, search\"", home);
        Assert.Contains($"href=\"/catalog/products/{id}\"", searched);
        Assert.Contains($"href=\"/catalog/products/{id}\"", domain);
    }

    [Fact]
    public async Task AtIterationZero_TheCatalogIsThePlainListing_WithContractLinks()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var registry = await RegistryHost.StartAsync(server, GetType(), new Dictionary<string, string> { [MeshTopology.ProfileSetting] = "iteration-0" }, ownDatabase: true);
        using var writer = registry.Writer("content");
        var name = Samples.NewName();
        (await writer.PostAsJsonAsync("/data-products", Samples.Product(name), ct)).EnsureSuccessStatusCode();
        var id = Samples.IdOf(name);
        await PublishAsync(writer, id, ct, registry);

        var listing = await registry.Anonymous().GetStringAsync("/catalog", ct);
        var contract = await registry.Anonymous().GetStringAsync($"/catalog/products/{id}/contract?version=1.0.0", ct);
        using var productPage = await registry.Anonymous().GetAsync($"/catalog/products/{id}", ct);

        Assert.Contains("<h1>Data products</h1>", listing);
        Assert.Contains("team-yellow", listing);
        Assert.Contains($"href=\"/catalog/products/{id}/contract?version=1.0.0\"", listing);
        Assert.DoesNotContain("hx-get", listing);
        Assert.Contains("release_year", contract);
        Assert.Equal(HttpStatusCode.NotFound, productPage.StatusCode);
    }

    private async Task<string> RegisterPublishedAsync(HttpClient writer, string domain, string name, CancellationToken ct)
    {
        (await writer.PostAsJsonAsync("/data-products", Samples.Product(name, domain), ct)).EnsureSuccessStatusCode();
        var id = Samples.IdOf(name, domain);
        await PublishAsync(writer, id, ct);
        return id;
    }

    private async Task PublishAsync(HttpClient writer, string id, CancellationToken ct, RegistryHost? registry = null)
    {
        registry ??= _registry;
        using var published = await Samples.PublishAsync(writer, id, Samples.Version("1.0.0"), "v1", ct);
        published.EnsureSuccessStatusCode();
        var decided = await registry.WaitForDecisionAsync(writer, id, "1.0.0", ct);
        Assert.True(decided.GetProperty("status").GetString() == "active", decided.GetRawText());
    }

    /// <summary>A column of the product's current version, as the publish path records it (written here when it has not).</summary>
    private async Task AddColumnAsync(string productId, string output, string column, CancellationToken ct)
    {
        await using var connection = await _registry.Service<NpgsqlDataSource>().OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO current_versions (product_id, version_id, updated_at)
            SELECT product_id, id, now() FROM product_versions WHERE product_id = @productId AND status = 'active'
            ON CONFLICT (product_id) DO NOTHING;
            INSERT INTO version_columns (version_id, output, position, name, required, primary_key)
            SELECT version_id, @output, 1000, @column, false, false FROM current_versions WHERE product_id = @productId;
            """,
            new { productId, output, column }, cancellationToken: ct));
    }
}
