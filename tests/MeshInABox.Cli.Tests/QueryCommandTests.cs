using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MeshInABox.Domain.Access;
using MeshInABox.Hosting.State;
using MeshInABox.MeshRepository.Samples;
using MeshInABox.Testing;
using MeshInABox.ServiceDefaults;

namespace MeshInABox.Cli.Tests;

/// <summary>The whole path at iteration 2: register -> ingest into the lakehouse -> query across a CSV and an Iceberg product.</summary>
public sealed class QueryCommandTests : IDisposable
{
    private readonly string _root = TemporaryDirectory.Create("mesh-query-");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task RegisterIngestQuery_JoinsACsvAndAnIcebergProduct_RefusesEscapes_AndHonoursGrants()
    {
        var ct = TestContext.Current.CancellationToken;
        var dataDirectory = Path.Combine(_root, "mesh");
        using var mesh = MeshProcess.StartWithSampleMesh(_root, "up", "--data-dir", dataDirectory, "--port", "0", "--profile", "iteration-2", "--empty");
        for (var i = 0; i < 600 && !File.Exists(MeshState.PathIn(dataDirectory)); i++)
        {
            await Task.Delay(100, ct);
        }

        var state = (await MeshState.ReadAsync(dataDirectory, ct))!;
        var csv = Path.Combine(_root, "impressions.csv");
        AdImpressionsGenerator.Write(csv, 5_000);
        var contract = Path.Combine(RepositoryLayout.SampleMesh, "advertising", "ad-impressions", "contracts", "impressions.odcs.yaml");

        var register = await MeshProcess.RunAsync(_root, ct, "register", RepositoryLayout.SampleMesh, "--data-dir", dataDirectory);
        var ingest = await MeshProcess.RunAsync(_root, ct, "lake", "ingest", csv, "--table", "advertising.ad-impressions.impressions", "--contract", contract, "--data-dir", dataDirectory);
        var joined = await MeshProcess.RunAsync(_root, ct, "query",
            "SELECT count(*) AS n, count(DISTINCT t.genre) AS genres FROM advertising.ad_impressions.impressions i JOIN content.catalogue.titles t USING (title_id)",
            "--data-dir", dataDirectory, "--format", "json");
        var escape = await MeshProcess.RunAsync(_root, ct, "query", "SELECT * FROM read_text('/etc/passwd')", "--data-dir", dataDirectory);
        var lakehouseOnly = await MeshProcess.RunAsync(_root, ct, "query", "SELECT count(*) AS n FROM advertising.ad_impressions.impressions", "--data-dir", dataDirectory, "--format", "json");

        using var http = new HttpClient { BaseAddress = state.Services["lakehouse"] };
        using var restricted = await http.PostAsJsonAsync("/query", new { sql = "SELECT email FROM subscriptions.subscribers.subscribers" }, ct);
        using var syntax = await http.PostAsJsonAsync("/query", new { sql = "SELECT title FRM content.catalogue.titles" }, ct);
        using var csvRequest = new HttpRequestMessage(HttpMethod.Post, "/query") { Content = JsonContent.Create(new { sql = "SELECT title_id, title FROM content.catalogue.titles ORDER BY title_id LIMIT 2" }) };
        csvRequest.Headers.Accept.ParseAdd("text/csv");
        using var csvResponse = await http.SendAsync(csvRequest, ct);
        var csvText = await csvResponse.Content.ReadAsStringAsync(ct);

        // Restricted product: no grant -> 403; the owning domain grants -> rows; revoked -> 403 again.
        // Alice's token as the docs get it: mesh token --subject alice (no domain: a consumer's).
        var key = MeshState.SigningKeyPath(dataDirectory);
        var aliceToken = await MeshProcess.RunAsync(_root, ct, "token", "--subject", "alice", "--scope", MeshAccess.ReadScope, "--data-dir", dataDirectory);
        var alice = aliceToken.Output.Trim();
        using var registry = new HttpClient { BaseAddress = state.Services["registry"] };
        var owner = new AuthenticationHeaderValue("Bearer", LocalTokens.Issue(key, "green-lead", ["subscriptions"], [MeshAccess.ReadScope, MeshAccess.WriteScope], TimeSpan.FromHours(1)));
        var stranger = new AuthenticationHeaderValue("Bearer", LocalTokens.Issue(key, "yellow-lead", ["content"], [MeshAccess.ReadScope, MeshAccess.WriteScope], TimeSpan.FromHours(1)));
        const string Subscribers = "SELECT count(*) AS n FROM subscriptions.subscribers.subscribers";
        var beforeGrant = await QueryAsAsync(http, alice, Subscribers, ct);
        var cliBeforeGrant = await MeshProcess.RunAsync(_root, ct, "query", Subscribers, "--token", alice, "--data-dir", dataDirectory);
        var strangerGrant = await SendAsync(registry, HttpMethod.Put, "/data-products/subscriptions.subscribers/grants/alice", stranger, ct);
        var ownerGrant = await SendAsync(registry, HttpMethod.Put, "/data-products/subscriptions.subscribers/grants/alice", owner, ct);
        var withGrant = await QueryAsAsync(http, alice, Subscribers, ct);
        var cliWithGrant = await MeshProcess.RunAsync(_root, ct, "query", Subscribers, "--token", alice, "--data-dir", dataDirectory, "--format", "json");
        var cliFromEnvironment = await MeshProcess.RunAsync(_root, new Dictionary<string, string?> { ["MESH_TOKEN"] = alice }, ct,
            "query", Subscribers, "--data-dir", dataDirectory, "--format", "json");
        var cliMinted = await MeshProcess.RunAsync(_root, ct, "query", Subscribers, "--data-dir", dataDirectory);
        var cliMintedOpen = await MeshProcess.RunAsync(_root, ct, "query", "SELECT count(*) AS n FROM content.catalogue.titles", "--data-dir", dataDirectory, "--format", "json");
        var cliBadToken = await MeshProcess.RunAsync(_root, ct, "query", Subscribers, "--token", "not-a-token", "--data-dir", dataDirectory);
        var revoke = await SendAsync(registry, HttpMethod.Delete, "/data-products/subscriptions.subscribers/grants/alice", owner, ct);
        var afterRevoke = await QueryAsAsync(http, alice, Subscribers, ct);

        // Each API reference `mesh up` printed answers.
        var references = mesh.Output.Split('\n').Where(line => line.Contains("API reference", StringComparison.Ordinal))
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Single(word => word.StartsWith("http://", StringComparison.Ordinal)))
            .ToList();
        var referenceAnswers = new List<HttpStatusCode>();
        using (var browser = new HttpClient())
        {
            foreach (var reference in references)
            {
                using var page = await browser.GetAsync(new Uri(reference), ct);
                referenceAnswers.Add(page.StatusCode);
            }
        }

        mesh.Terminate();
        await mesh.WaitForExitAsync(TimeSpan.FromSeconds(60), ct);

        Assert.Equal(2, references.Distinct().Count()); // the registry's is also in the "try this" block
        Assert.Contains(new Uri(state.Services["lakehouse"], "/scalar/v1").ToString(), references);
        Assert.All(referenceAnswers, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.True(register.ExitCode == 0, register.Output + register.Error);
        Assert.True(ingest.ExitCode == 0, ingest.Error);
        Assert.True(joined.ExitCode == 0, joined.Error);
        var row = Assert.Single(JsonDocument.Parse(joined.Output).RootElement.EnumerateArray());
        Assert.Equal(5_000, row.GetProperty("n").GetInt64());
        Assert.Equal(5_000, Assert.Single(JsonDocument.Parse(lakehouseOnly.Output).RootElement.EnumerateArray()).GetProperty("n").GetInt64());
        Assert.Equal(1, escape.ExitCode);
        Assert.Contains("Table function 'read_text' is not allowed", escape.Error);
        Assert.Equal(HttpStatusCode.Forbidden, restricted.StatusCode);
        Assert.Contains("restricted", (await restricted.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, syntax.StatusCode);
        Assert.True((await syntax.Content.ReadFromJsonAsync<JsonElement>(ct)).TryGetProperty("position", out _));
        Assert.Equal("title_id,title\ntt0001,The Wild Signal\ntt0002,The Quiet Signal\n", csvText);
        Assert.True(aliceToken.ExitCode == 0, aliceToken.Error);
        Assert.Equal(HttpStatusCode.Forbidden, beforeGrant.Status);
        Assert.Contains("'alice' holds no grant", beforeGrant.Body);
        Assert.Equal(1, cliBeforeGrant.ExitCode);
        Assert.Contains("'alice' holds no grant", cliBeforeGrant.Error);
        Assert.Equal(HttpStatusCode.Forbidden, strangerGrant);
        Assert.Equal(HttpStatusCode.OK, ownerGrant);
        Assert.Equal(HttpStatusCode.OK, withGrant.Status);
        Assert.Equal(300, JsonDocument.Parse(withGrant.Body).RootElement.GetProperty("n").GetInt64());
        Assert.True(cliWithGrant.ExitCode == 0, cliWithGrant.Error);
        Assert.Equal(300, Assert.Single(JsonDocument.Parse(cliWithGrant.Output).RootElement.EnumerateArray()).GetProperty("n").GetInt64());
        Assert.True(cliFromEnvironment.ExitCode == 0, cliFromEnvironment.Error);
        Assert.Equal(300, Assert.Single(JsonDocument.Parse(cliFromEnvironment.Output).RootElement.EnumerateArray()).GetProperty("n").GetInt64());
        // Without --token the CLI speaks for the local user, who holds no grant; open products answer it.
        Assert.Equal(1, cliMinted.ExitCode);
        Assert.Contains($"'{Environment.UserName}' holds no grant", cliMinted.Error);
        Assert.True(cliMintedOpen.ExitCode == 0, cliMintedOpen.Error);
        Assert.Equal(120, Assert.Single(JsonDocument.Parse(cliMintedOpen.Output).RootElement.EnumerateArray()).GetProperty("n").GetInt64());
        Assert.Equal(1, cliBadToken.ExitCode);
        Assert.Contains("bearer token is malformed", cliBadToken.Error);
        Assert.Equal(HttpStatusCode.NoContent, revoke);
        Assert.Equal(HttpStatusCode.Forbidden, afterRevoke.Status);
    }

    private static async Task<(HttpStatusCode Status, string Body)> QueryAsAsync(HttpClient http, string token, string sql, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/query") { Content = JsonContent.Create(new { sql }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(ct));
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient http, HttpMethod method, string path, AuthenticationHeaderValue token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = token;
        using var response = await http.SendAsync(request, ct);
        return response.StatusCode;
    }
}
