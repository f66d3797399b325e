using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using MeshInABox.Testing;

namespace MeshInABox.Registry.Tests;

/// <summary>A version's outputs: given and agreeing with the contract, or taken from its schema objects.</summary>
public sealed class VersionOutputsTests(PostgresServerFixture server) : IAsyncLifetime
{
    private const string Genres = """
          - name: genres
            properties:
              - name: genre
                logicalType: string
                required: true

        """;

    private RegistryHost _registry = null!;

    public async ValueTask InitializeAsync() => _registry = await RegistryHost.StartAsync(server, GetType());

    public ValueTask DisposeAsync() => _registry.DisposeAsync();

    [Fact]
    public async Task Publish_ContractAlone_ProductWithoutOutputs_TakesThemFromTheSchemaAndServers()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var id = await RegisterAsync(writer, outputs: null, ct);
        var contract = Samples.Contract("1.0.0", WithServer("postgresql"));

        using var response = await Samples.PublishAsync(writer, id, new { version = "1.0.0", contract }, "contract-only", ct);
        var decided = await _registry.WaitForDecisionAsync(writer, id, "1.0.0", ct);
        var endpoints = await writer.GetFromJsonAsync<JsonElement>($"/data-products/{id}/endpoints", ct);

        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync(ct));
        Assert.True(decided.GetProperty("status").GetString() == "active", decided.ToString());
        var endpoint = Assert.Single(endpoints.EnumerateArray());
        Assert.Equal(("titles", "postgres"), (endpoint.GetProperty("output").GetString(), endpoint.GetProperty("kind").GetString()));
    }

    [Fact]
    public async Task Publish_ContractAlone_TakesTheRegisteredOutputOfEachSchemaObject_AndNoOther()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var name = Samples.NewName();
        var titles = Samples.FileOf(name);
        var id = await RegisterAsync(writer, new JsonArray(
            new JsonObject { ["name"] = "titles", ["kind"] = "csv", ["location"] = titles },
            new JsonObject { ["name"] = "archive", ["kind"] = "csv", ["location"] = Samples.FileOf(name, "data/archive.csv") }), ct, name);

        using var response = await Samples.PublishAsync(writer, id, Samples.Version("1.0.0"), "registered", ct);
        var decided = await _registry.WaitForDecisionAsync(writer, id, "1.0.0", ct);
        var endpoints = await writer.GetFromJsonAsync<JsonElement>($"/data-products/{id}/endpoints", ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("active", decided.GetProperty("status").GetString());
        var endpoint = Assert.Single(endpoints.EnumerateArray());
        Assert.Equal(("titles", "csv", titles),
            (endpoint.GetProperty("output").GetString(), endpoint.GetProperty("kind").GetString(), endpoint.GetProperty("location").GetProperty("path").GetString()));
    }

    [Fact]
    public async Task Publish_WithOutputs_ProductWithoutOutputs_IsAsBefore()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var name = Samples.NewName();
        var id = await RegisterAsync(writer, outputs: null, ct, name);
        var body = new { version = "1.0.0", contract = Samples.Contract("1.0.0"), outputs = new[] { new { name = "titles", kind = "csv", location = Samples.FileOf(name) } } };

        using var response = await Samples.PublishAsync(writer, id, body, "given", ct);
        var decided = await _registry.WaitForDecisionAsync(writer, id, "1.0.0", ct);
        var endpoint = Assert.Single((await writer.GetFromJsonAsync<JsonElement>($"/data-products/{id}/endpoints", ct)).EnumerateArray());

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("active", decided.GetProperty("status").GetString());
        Assert.Equal(Samples.FileOf(name), endpoint.GetProperty("location").GetProperty("path").GetString());
    }

    [Fact]
    public async Task Publish_OutputsThatDisagreeWithTheContract_Are400NamingTheField()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var name = Samples.NewName();
        var id = await RegisterAsync(writer, outputs: null, ct, name);
        var csv = new[] { new { name = "ratings", kind = "csv", location = Samples.FileOf(name) } };
        var titles = new[] { new { name = "titles", kind = "csv", location = Samples.FileOf(name) } };

        using var notInSchema = await Samples.PublishAsync(writer, id,
            new { version = "1.0.0", contract = Samples.Contract("1.0.0", WithObject(Genres)), outputs = csv }, "name", ct);
        using var otherKind = await Samples.PublishAsync(writer, id,
            new { version = "1.0.0", contract = Samples.Contract("1.0.0", WithServer("kafka")), outputs = titles }, "kind", ct);
        using var empty = await Samples.PublishAsync(writer, id, new { version = "1.0.0", contract = Samples.Contract("1.0.0"), outputs = Array.Empty<object>() }, "empty", ct);

        var nameError = await ErrorAsync(notInSchema, "outputs[0].name", ct);
        Assert.Contains("'ratings' is not in the contract", nameError);
        Assert.Contains("'titles', 'genres'", nameError);
        var kindError = await ErrorAsync(otherKind, "outputs[0].kind", ct);
        Assert.Contains("'titles' is csv, but the contract's servers ('mesh' of type 'kafka') serve kafka", kindError);
        Assert.Contains("leave 'outputs' out", await ErrorAsync(empty, "outputs", ct));
        Assert.Empty(await writer.GetFromJsonAsync<JsonElement[]>($"/data-products/{id}/versions", ct) ?? []);
    }

    [Fact]
    public async Task Publish_ContractAlone_OutputsThatCannotBeDerived_Are400SayingWhatToAdd()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var bare = await RegisterAsync(writer, outputs: null, ct);
        var registered = await Samples.RegisterAsync(writer, ct);
        static string WithTopic(string c) =>
            WithServer("kafka")(c).Replace("  - name: titles\n", "  - name: titles\n    physicalName: advertising.secrets\n", StringComparison.Ordinal);

        using var noServer = await Samples.PublishAsync(writer, bare, Samples.Version("1.0.0"), "no-server", ct);
        using var secondObject = await Samples.PublishAsync(writer, registered, Samples.Version("1.0.0", Samples.Contract("1.0.0", WithObject(Genres))), "second", ct);
        using var otherKind = await Samples.PublishAsync(writer, registered, Samples.Version("1.0.0", Samples.Contract("1.0.0", WithServer("kafka"))), "kind", ct);
        using var foreignTopic = await Samples.PublishAsync(writer, bare, Samples.Version("1.0.0", Samples.Contract("1.0.0", WithTopic)), "topic", ct);
        using var noSchema = await Samples.PublishAsync(writer, bare,
            Samples.Version("1.0.0", Samples.Contract("1.0.0", c => c[..c.IndexOf("schema:", StringComparison.Ordinal)])), "no-schema", ct);

        var none = await ErrorAsync(noServer, "outputs", ct);
        Assert.Contains("Schema object 'titles' has no output: the product registered no outputs and the contract has no servers", none);
        Assert.Contains("Add it to 'outputs' ({\"name\": 'titles', \"kind\": \"csv\"", none);
        Assert.Contains("or add a server of type kafka or postgresql", none);
        Assert.Contains("Schema object 'genres' has no output: the product registered no output of that name (it has 'titles')", await ErrorAsync(secondObject, "outputs", ct));
        Assert.Contains("'titles' is registered as csv, but the contract's servers ('mesh' of type 'kafka') serve kafka", await ErrorAsync(otherKind, "outputs", ct));
        Assert.Contains("physicalName is its topic, and 'advertising.secrets' is not under the product's domain", await ErrorAsync(foreignTopic, "outputs", ct));
        Assert.Contains("the contract's schema has no objects", await ErrorAsync(noSchema, "outputs", ct));
    }

    // Each with the connection fields ODCS requires of that server type.
    private static Func<string, string> WithServer(string type) =>
        c => c.Replace("schema:\n", $"servers:\n  - server: mesh\n    type: {type}\n{ConnectionFields(type)}schema:\n", StringComparison.Ordinal);

    private static string ConnectionFields(string type) => type switch
    {
        "kafka" => "    host: broker:9092\n",
        "postgres" or "postgresql" => "    host: localhost\n    port: 5432\n    database: mesh\n    schema: public\n",
        _ => "",
    };

    private static Func<string, string> WithObject(string schemaObject) =>
        c => c.TrimEnd('\n') + "\n" + schemaObject;

    /// <param name="outputs">The product's outputs; null registers it without any.</param>
    private static async Task<string> RegisterAsync(HttpClient writer, JsonArray? outputs, CancellationToken ct, string? name = null)
    {
        name ??= Samples.NewName();
        var body = JsonSerializer.SerializeToNode(Samples.Product(name))!.AsObject();
        body.Remove("outputs");
        if (outputs is not null)
        {
            body["outputs"] = outputs;
        }

        using var response = await writer.PostAsJsonAsync("/data-products", body, ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(ct));
        return Samples.IdOf(name);
    }

    private static async Task<string> ErrorAsync(HttpResponseMessage response, string field, CancellationToken ct)
    {
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, ct);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var messages), problem.ToString());
        return string.Join("\n", messages.EnumerateArray().Select(m => m.GetString()));
    }
}
