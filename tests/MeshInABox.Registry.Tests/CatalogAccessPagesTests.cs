using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using MeshInABox.Domain.Access;
using MeshInABox.ServiceDefaults;
using MeshInABox.Testing;

namespace MeshInABox.Registry.Tests;

/// <summary>
/// The portal's access pages as a browser uses them: sign in with a mesh token (a cookie), ask for access on a
/// product page, see one's requests, decide the domain's pending ones; every form with its antiforgery token.
/// </summary>
public sealed partial class CatalogAccessPagesTests(PostgresServerFixture server) : IAsyncLifetime
{
    private const string Purpose = "Churn model for the spring campaign";
    private RegistryHost _registry = null!;

    public async ValueTask InitializeAsync() => _registry = await RegistryHost.StartAsync(server, GetType());

    public ValueTask DisposeAsync() => _registry.DisposeAsync();

    [Fact]
    public async Task SignedIn_RequestsOpenAndRestricted_SeesBoth_AndTheOwnerApprovesThePendingOne()
    {
        var ct = TestContext.Current.CancellationToken;
        using var carolApi = _registry.As("carol", "content");
        var open = await Samples.RegisterAsync(carolApi, ct);
        var restricted = await Samples.RegisterAsync(carolApi, ct, classification: "restricted");
        using var alice = _registry.Anonymous();
        using var carol = _registry.Anonymous();

        var account = await SignInAsync(alice, _registry.TokenFor("alice", [], MeshAccess.ReadScope), ct);
        var granted = await RequestAsync(alice, open, Purpose, ct);
        var pending = await RequestAsync(alice, restricted, Purpose, ct);
        var mine = await alice.GetStringAsync("/catalog/access", ct);
        var productPage = await alice.GetStringAsync($"/catalog/products/{restricted}", ct);

        Assert.Contains("Signed in as <strong>alice</strong>", account);
        Assert.Equal(HttpStatusCode.OK, granted.Status);
        Assert.Contains(">granted<", granted.Html);
        Assert.Equal(HttpStatusCode.OK, pending.Status);
        Assert.Contains("pending: waiting for content", pending.Html);
        Assert.Contains($"href=\"/catalog/products/{open}\"", mine);
        Assert.Contains($"href=\"/catalog/products/{restricted}\"", mine);
        Assert.Contains("pending: waiting for content", mine);
        Assert.Contains("policy:open", mine);
        Assert.Contains("pending: waiting for content", productPage);
        Assert.DoesNotContain("name=\"purpose\"", productPage);

        var requestId = await RequestIdAsync("alice", restricted, ct);
        await SignInAsync(carol, _registry.TokenFor("carol", ["content"], MeshAccess.ReadScope, MeshAccess.WriteScope), ct);
        var approvals = await carol.GetStringAsync("/catalog/approvals", ct);
        Assert.Contains($"action=\"/catalog/approvals/{requestId}\"", approvals);
        Assert.DoesNotContain($"href=\"/catalog/products/{open}\"", approvals);

        using var approved = await PostFormAsync(carol, $"/catalog/approvals/{requestId}", approvals, new() { ["decision"] = "approve", ["note"] = "For the churn model only." }, ct);
        var approvedHtml = await approved.Content.ReadAsStringAsync(ct);
        // The class's other tests leave alice's requests on other products pending: read this product's row.
        var after = RowOf(await alice.GetStringAsync("/catalog/access", ct), restricted);

        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Contains($"Request {requestId} (alice on {restricted}) is now granted.", approvedHtml);
        Assert.DoesNotContain($"action=\"/catalog/approvals/{requestId}\"", approvedHtml);
        Assert.DoesNotContain("pending: waiting for content", after);
        Assert.Contains(">granted<", after);
        Assert.Contains("For the churn model only.", after);
    }

    [Fact]
    public async Task TheRequester_CannotApproveTheirOwn_AndIsToldSo()
    {
        var ct = TestContext.Current.CancellationToken;
        using var carolApi = _registry.As("carol", "content");
        var restricted = await Samples.RegisterAsync(carolApi, ct, classification: "restricted");
        using var alice = _registry.Anonymous();
        await SignInAsync(alice, _registry.TokenFor("alice", ["content"], MeshAccess.ReadScope, MeshAccess.WriteScope), ct);
        var pending = await RequestAsync(alice, restricted, Purpose, ct);
        Assert.Contains("pending: waiting for content", pending.Html);
        var requestId = await RequestIdAsync("alice", restricted, ct);

        var approvals = await alice.GetStringAsync("/catalog/approvals", ct);
        // Her own request has no buttons: the form is posted by hand, with the token of her account page's form.
        var account = await alice.GetStringAsync("/catalog/account", ct);
        using var selfApproved = await PostFormAsync(alice, $"/catalog/approvals/{requestId}", account, new() { ["decision"] = "approve" }, ct);
        var html = await selfApproved.Content.ReadAsStringAsync(ct);

        Assert.DoesNotContain($"action=\"/catalog/approvals/{requestId}\"", approvals);
        Assert.Equal(HttpStatusCode.OK, selfApproved.StatusCode);
        Assert.Contains("Self-approval refused", html);
        Assert.Contains("pending: waiting for content", await alice.GetStringAsync("/catalog/access", ct));
    }

    [Fact]
    public async Task APost_WithoutTheAntiforgeryToken_IsRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        using var carolApi = _registry.As("carol", "content");
        var open = await Samples.RegisterAsync(carolApi, ct);
        using var alice = _registry.Anonymous();
        await SignInAsync(alice, _registry.TokenFor("alice", [], MeshAccess.ReadScope), ct);

        using var forged = await alice.PostAsync($"/catalog/products/{open}/access-requests", new FormUrlEncodedContent(new Dictionary<string, string> { ["purpose"] = Purpose }), ct);
        using var forgedSignIn = await _registry.Anonymous().PostAsync("/catalog/sign-in", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = "x.y.z" }), ct);
        using var json = await alice.PostAsJsonAsync($"/catalog/products/{open}/access-requests", new { purpose = Purpose }, ct);
        using var mine = await _registry.As("alice").GetAsync("/access-requests/mine", ct);

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Contains("antiforgery", await forged.Content.ReadAsStringAsync(ct));
        Assert.Equal(HttpStatusCode.BadRequest, forgedSignIn.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
        // The class's other tests share alice: none of her requests is on this product.
        Assert.DoesNotContain((await mine.Content.ReadFromJsonAsync<JsonElement>(ct)).EnumerateArray(), r => r.GetProperty("productId").GetString() == open);
    }

    [Fact]
    public async Task WithoutSigningIn_ThePagesSayHowToSignIn_AndABadTokenIsExplained()
    {
        var ct = TestContext.Current.CancellationToken;
        using var carolApi = _registry.As("carol", "content");
        var open = await Samples.RegisterAsync(carolApi, ct);
        using var browser = _registry.Anonymous();

        using var access = await browser.GetAsync("/catalog/access", ct);
        using var approvals = await browser.GetAsync("/catalog/approvals", ct);
        var product = await browser.GetStringAsync($"/catalog/products/{open}", ct);
        var otherKey = Path.Combine(TemporaryDirectory.Create("other-key-"), "signing.key");
        LocalSigningKey.EnsureExists(otherKey);
        var other = LocalTokens.Issue(otherKey, "mallory", [], [MeshAccess.ReadScope], TimeSpan.FromHours(1));
        var rejected = await SignInAsync(browser, other, ct);
        var afterwards = await browser.GetStringAsync("/catalog/account", ct);

        foreach (var page in new[] { access, approvals })
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            var html = await page.Content.ReadAsStringAsync(ct);
            Assert.Contains("mesh token --subject NAME", html);
            Assert.Contains("action=\"/catalog/sign-in\"", html);
        }

        Assert.Contains("sign in</a> with a mesh token", product);
        Assert.DoesNotContain("name=\"purpose\"", product);
        Assert.Contains("Your token was not accepted", rejected);
        Assert.Contains("does not verify with this mesh", rejected);
        Assert.DoesNotContain("not accepted", afterwards);
    }

    [Fact]
    public async Task TheTokenCookie_IsHttpOnlyStrictAndOnlyForThePortal()
    {
        var ct = TestContext.Current.CancellationToken;
        using var browser = _registry.Browser(followRedirects: false);
        var token = _registry.TokenFor("alice", [], MeshAccess.ReadScope);
        var page = await browser.GetStringAsync("/catalog/account", ct);

        using var signIn = await PostFormAsync(browser, "/catalog/sign-in", page, new() { ["token"] = token }, ct);
        var cookie = Assert.Single(signIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("mesh_portal_token=", StringComparison.Ordinal));
        using var api = await browser.GetAsync("/access-requests/mine", ct);

        Assert.Equal(HttpStatusCode.Found, signIn.StatusCode);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/catalog", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    private async Task<string> SignInAsync(HttpClient browser, string token, CancellationToken ct)
    {
        var page = await browser.GetStringAsync("/catalog/account", ct);
        using var signedIn = await PostFormAsync(browser, "/catalog/sign-in", page, new() { ["token"] = token }, ct);
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        return await signedIn.Content.ReadAsStringAsync(ct);
    }

    private static async Task<(HttpStatusCode Status, string Html)> RequestAsync(HttpClient browser, string productId, string purpose, CancellationToken ct)
    {
        var page = await browser.GetStringAsync($"/catalog/products/{productId}", ct);
        Assert.Contains($"action=\"/catalog/products/{productId}/access-requests\"", page);
        using var response = await PostFormAsync(browser, $"/catalog/products/{productId}/access-requests", page, new() { ["purpose"] = purpose }, ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(ct));
    }

    private async Task<long> RequestIdAsync(string subject, string productId, CancellationToken ct)
    {
        using var api = _registry.As(subject);
        var mine = await api.GetFromJsonAsync<JsonElement>("/access-requests/mine", ct);
        return mine.EnumerateArray().Single(r => r.GetProperty("productId").GetString() == productId).GetProperty("id").GetInt64();
    }

    /// <summary>The table row of the "My access" page that links to a product.</summary>
    private static string RowOf(string page, string productId)
    {
        var link = page.IndexOf($"href=\"/catalog/products/{productId}\"", StringComparison.Ordinal);
        Assert.True(link >= 0, $"the page lists {productId}");
        var start = page.LastIndexOf("<tr>", link, StringComparison.Ordinal);
        return page[start..(page.IndexOf("</tr>", link, StringComparison.Ordinal) + "</tr>".Length)];
    }

    /// <summary>Posts a form as the page's own form would: with the antiforgery token the page carries.</summary>
    private static async Task<HttpResponseMessage> PostFormAsync(
        HttpClient browser, string path, string page, Dictionary<string, string> fields, CancellationToken ct)
    {
        var token = AntiforgeryField().Match(page);
        Assert.True(token.Success, "the page carries an antiforgery token");
        fields[token.Groups["name"].Value] = WebUtility.HtmlDecode(token.Groups["value"].Value);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
        return await browser.SendAsync(request, ct);
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>__RequestVerificationToken)\" value=\"(?<value>[^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
