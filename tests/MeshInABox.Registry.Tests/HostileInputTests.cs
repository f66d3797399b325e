using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using MeshInABox.Testing;
using Npgsql;

namespace MeshInABox.Registry.Tests;

/// <summary>Attacks on the registry's edge: each gets a 4xx naming the rule, never a 500, a crash or a stall.</summary>
public sealed class HostileInputTests(PostgresServerFixture server) : IAsyncLifetime
{
    private RegistryHost _registry = null!;

    public async ValueTask InitializeAsync() => _registry = await RegistryHost.StartAsync(server, GetType());

    public ValueTask DisposeAsync() => _registry.DisposeAsync();

    [Fact]
    public async Task Publish_ContractNestedHundredThousandDeep_Is400NamingTheDepthLimit_AndTheServiceLivesOn()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var id = await Samples.RegisterAsync(writer, ct);
        var contract = Samples.Contract("1.0.0") + "\nx: " + new string('[', 100_000) + "\n";

        using var response = await Samples.PublishAsync(writer, id, new { version = "1.0.0", contract }, "deep", ct);
        using var health = await _registry.Anonymous().GetAsync("/health", ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("limit: depth 64", (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("errors").GetProperty("contract")[0].GetString());
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Publish_AsyncApiAliasBomb_IsRefusedByTheNodeLimit()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var id = await Samples.RegisterAsync(writer, ct);
        var bomb = new StringBuilder("asyncapi: 3.0.0\ninfo: {title: t, version: 1.0.0}\nx:\n  l0: &l0 [lol]\n");
        for (var level = 1; level <= 7; level++)
        {
            bomb.Append($"  l{level}: &l{level} [{string.Join(",", Enumerable.Repeat($"*l{level - 1}", 10))}]\n");
        }

        bomb.Append("channels: {c: {address: content.c, messages: {m: {payload: *l7}}}}\n");

        using var response = await Samples.PublishAsync(writer, id, new { version = "1.0.0", contract = Samples.Contract("1.0.0"), streamContract = bomb.ToString() }, "bomb", ct);

        Assert.True(bomb.Length < 1024);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("limit: nodes 100000", (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("errors").GetProperty("streamContract")[0].GetString());
    }

    [Fact]
    public async Task Publish_ContractWhoseAliasContainsItself_Is400()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var id = await Samples.RegisterAsync(writer, ct);

        using var response = await Samples.PublishAsync(writer, id, new { version = "1.0.0", contract = Samples.Contract("1.0.0") + "\nloop: &x [1, *x]\n" }, "cycle", ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("a cycle", (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("errors").GetProperty("contract")[0].GetString());
    }

    [Fact]
    public async Task Worker_AVersionWhoseValidationThrows_IsRejectedWithTheReason_AndTheNextVersionIsPublished()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var poisoned = await Samples.RegisterAsync(writer, ct);
        var good = await Samples.RegisterAsync(writer, ct);

        // A version accepted before documents were bounded: its stored stream contract is an alias bomb,
        // which validation now refuses to read (it throws) on every attempt.
        var bomb = new StringBuilder("asyncapi: 3.0.0\nx:\n  l0: &l0 [lol]\n");
        for (var level = 1; level <= 7; level++)
        {
            bomb.Append($"  l{level}: &l{level} [{string.Join(",", Enumerable.Repeat($"*l{level - 1}", 10))}]\n");
        }

        await using (var connection = await _registry.Service<NpgsqlDataSource>().OpenConnectionAsync(ct))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO product_versions (product_id, version, major, minor, patch, status, contract, stream_contract, content_hash, outputs,
                                              idempotency_key, request_hash, created_at, updated_at)
                VALUES (@poisoned, '1.0.0', 1, 0, 0, 'accepted', @contract, @bomb, 'h', '[{"name":"titles","kind":"csv"}]', 'poison', 'h', now(), now())
                """,
                new { poisoned, contract = Samples.Contract("1.0.0"), bomb = bomb.ToString() }, cancellationToken: ct));
        }

        (await Samples.PublishAsync(writer, good, Samples.Version("1.0.0"), "after-poison", ct)).Dispose();
        var rejected = await _registry.WaitForDecisionAsync(writer, poisoned, "1.0.0", ct);
        var published = await _registry.WaitForDecisionAsync(writer, good, "1.0.0", ct);

        Assert.Equal("rejected", rejected.GetProperty("status").GetString());
        var reason = Assert.Single(rejected.GetProperty("reasons").EnumerateArray());
        Assert.Equal("validation-failed", reason.GetProperty("code").GetString());
        Assert.Contains("failed 3 times", reason.GetProperty("message").GetString());
        Assert.Contains("limit: nodes", reason.GetProperty("message").GetString());
        Assert.Equal("active", published.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("2147483648.0.0")]
    [InlineData("1.2147483648.0")]
    [InlineData("1.0.99999999999999999999")]
    public async Task Publish_VersionPartAboveInt32_Is400(string version)
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var id = await Samples.RegisterAsync(writer, ct);

        using var response = await Samples.PublishAsync(writer, id, new { version, contract = Samples.Contract(version) }, "huge-" + version, ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("has a part above 2147483647", (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("errors").GetProperty("version")[0].GetString());
    }

    [Fact]
    public async Task Publish_ContractVersionAboveInt32_IsAContractError()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var id = await Samples.RegisterAsync(writer, ct);

        using var response = await Samples.PublishAsync(writer, id, new { version = "1.0.0", contract = Samples.Contract("99999999999.0.0") }, "huge-contract", ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("errors").TryGetProperty("contract.version", out _));
    }

    [Fact]
    public async Task Search_LastPage_OrAHugePage_IsAnEmptyPageNot500()
    {
        var ct = TestContext.Current.CancellationToken;
        using var reader = _registry.Anonymous();

        using var response = await reader.GetAsync($"/data-products?page={int.MaxValue}&pageSize=200", ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty((await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("items").EnumerateArray());
    }

    [Theory]
    [InlineData("q=%00")]
    [InlineData("domain=%00")]
    [InlineData("owner=a%00b")]
    [InlineData("tag=%00")]
    public async Task Search_NulInAFilter_Is400(string query)
    {
        var ct = TestContext.Current.CancellationToken;

        using var response = await _registry.Anonymous().GetAsync("/data-products?" + query, ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Publish_ContractHoldingANul_Is400()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var id = await Samples.RegisterAsync(writer, ct);
        var contract = JsonSerializer.Deserialize<JsonElement>(
            JsonSerializer.Serialize(new { apiVersion = "v3.1.0", kind = "DataContract", id = "t", version = "1.0.0", status = "active", description = new { purpose = "a\u0000b" } }));

        using var response = await Samples.PublishAsync(writer, id, new { version = "1.0.0", contract }, "nul", ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        // Refused at the edge, before binding: the error names the JSON path of the value holding it.
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("errors");
        Assert.Contains("NUL", errors.GetProperty("$.contract.description.purpose")[0].GetString());
    }

    [Theory]
    [InlineData("name", 100_000)]
    [InlineData("description", 4001)]
    [InlineData("owner", 64)]
    [InlineData("businessUnit", 201)]
    public async Task Register_FieldOverItsLength_Is400NamingTheField(string field, int length)
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var body = JsonSerializer.SerializeToNode(Samples.Product(Samples.NewName()))!;
        body[field] = new string('a', length);

        using var response = await writer.PostAsJsonAsync("/data-products", body, ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("at most", (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("errors").GetProperty(field)[0].GetString());
    }

    [Fact]
    public async Task Register_BadNamesTagsOutputsAndInputs_AreEach400WithTheRule()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var body = JsonSerializer.SerializeToNode(Samples.Product(Samples.NewName()))!;
        body["tags"] = JsonSerializer.SerializeToNode(new[] { "ok", new string('t', 51), "Not A Tag" });
        body["outputs"]![0]!["name"] = "../../x";
        body["outputs"]![0]!["storageTemplate"] = "../t";
        body["inputs"] = JsonSerializer.SerializeToNode(new[] { new { product = "../../etc", output = "a b" } });
        body["classification"] = new string('x', 10_000);
        var tooManyTags = JsonSerializer.SerializeToNode(Samples.Product(Samples.NewName()))!;
        tooManyTags["tags"] = JsonSerializer.SerializeToNode(Enumerable.Range(0, 21).Select(i => $"t{i}"));

        using var response = await writer.PostAsJsonAsync("/data-products", body, ct);
        using var tags = await writer.PostAsJsonAsync("/data-products", tooManyTags, ct);
        using var domain = await writer.PostAsJsonAsync("/data-products", new { name = "x", domain = "Content/../x", owner = "team", description = "d" }, ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("errors");
        Assert.Equal(
            ["classification", "inputs[0].output", "inputs[0].product", "outputs[0].name", "outputs[0].storageTemplate", "tags[1]", "tags[2]"],
            errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.True(errors.GetProperty("classification")[0].GetString()!.Length < 200);
        Assert.Equal(HttpStatusCode.BadRequest, tags.StatusCode);
        Assert.Contains("at most 20", (await tags.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("errors").GetProperty("tags")[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, domain.StatusCode);
        Assert.True((await domain.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("errors").TryGetProperty("domain", out _));
    }

    [Fact]
    public async Task Deprecate_MessageOverItsLength_Is400()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var id = await Samples.RegisterAsync(writer, ct);

        using var response = await writer.PostAsJsonAsync($"/data-products/{id}/deprecation",
            new { sunsetAt = _registry.Time.GetUtcNow().AddDays(30), message = new string('m', 100_000) }, ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("errors").TryGetProperty("message", out _));
    }

    [Theory]
    [InlineData("%2Fetc")]
    [InlineData(".hidden")]
    [InlineData("a%20b")]
    [InlineData("a%25b")]
    public async Task Grants_SubjectBreakingTheRule_Is400ForWrites_And404ForReads(string subject)
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var id = await Samples.RegisterAsync(writer, ct);

        using var put = await writer.PutAsync($"/data-products/{id}/grants/{subject}", null, ct);
        using var delete = await writer.DeleteAsync($"/data-products/{id}/grants/{subject}", ct);
        using var get = await writer.GetAsync($"/data-products/{id}/grants/{subject}", ct);

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Contains("is not a subject", (await put.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("errors").GetProperty("subject")[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task Grants_SubjectOverItsLength_Is400()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var id = await Samples.RegisterAsync(writer, ct);

        using var put = await writer.PutAsync($"/data-products/{id}/grants/{new string('s', 256)}", null, ct);
        using var grants = await writer.GetAsync($"/data-products/{id}/grants", ct);

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("[]", await grants.Content.ReadAsStringAsync(ct));
    }

    [Fact]
    public async Task Search_WildcardsInTheTerm_MatchOnlyThemselves()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var body = JsonSerializer.SerializeToNode(Samples.Product(Samples.NewName()))!;
        var marker = Guid.NewGuid().ToString("N")[..8];
        body["description"] = $"Rates of {marker} 100%_sure\\ and more words here.";
        (await writer.PostAsJsonAsync("/data-products", body, ct)).EnsureSuccessStatusCode();

        async Task<long> TotalAsync(string q) =>
            (await writer.GetFromJsonAsync<JsonElement>($"/data-products?q={Uri.EscapeDataString(q)}", ct)).GetProperty("total").GetInt64();

        Assert.Equal(1, await TotalAsync($"{marker} 100%_sure\\"));
        Assert.Equal(0, await TotalAsync($"{marker} 100__sure"));
        Assert.Equal(0, await TotalAsync($"{marker}%sure"));
        Assert.Equal(1, await TotalAsync("_"));
        Assert.Equal(1, await TotalAsync("%"));
        Assert.Equal(1, await TotalAsync("\\"));
    }
}
