using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MeshInABox.Domain.Naming;
using MeshInABox.Testing;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace MeshInABox.Registry.Tests;

/// <summary>Locations belong to the platform: a domain writer can only point its outputs at its own folder, schema, table and topics.</summary>
public sealed class LocationRulesTests(PostgresServerFixture server) : IAsyncLifetime
{
    private RegistryHost _registry = null!;

    public async ValueTask InitializeAsync() => _registry = await RegistryHost.StartAsync(server, GetType());

    public ValueTask DisposeAsync() => _registry.DisposeAsync();

    [Fact]
    public async Task PutEndpoint_CsvPathOutsideTheProductsFolder_Is400_InsideIsStoredCanonical()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var id = await Samples.RegisterAsync(writer, ct);
        var other = await Samples.RegisterAsync(writer, ct);
        var outside = Path.Combine(Samples.RepositoryRoot, "elsewhere");
        Directory.CreateDirectory(outside);
        Directory.CreateDirectory(Path.GetDirectoryName(Samples.FileIn(id))!);
        var link = Samples.FileIn(id, "data/link.csv");
        File.CreateSymbolicLink(link, Path.Combine(outside, "secret.csv"));

        var refused = new List<HttpStatusCode>();
        var messages = new List<string>();
        foreach (var path in new[] { "/etc/passwd", Samples.FileIn(other), Samples.FileIn(id, "../../../elsewhere/x.csv"), link, "data/titles.csv" })
        {
            using var response = await writer.PutAsJsonAsync($"/data-products/{id}/endpoints/titles", new { kind = "csv", location = new { path } }, ct);
            refused.Add(response.StatusCode);
            messages.Add((await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("errors").GetProperty("location.path")[0].GetString()!);
        }

        using var stored = await writer.PutAsJsonAsync($"/data-products/{id}/endpoints/titles",
            new { kind = "csv", location = new { path = Samples.FileIn(id, "data/../data/./titles.csv") } }, ct);
        var endpoint = Assert.Single((await writer.GetFromJsonAsync<JsonElement>($"/data-products/{id}/endpoints", ct)).EnumerateArray());

        Assert.All(refused, s => Assert.Equal(HttpStatusCode.BadRequest, s));
        Assert.Contains("product's own folder", messages[0]);
        Assert.Contains("absolute path", messages[4]);
        Assert.Equal(HttpStatusCode.NoContent, stored.StatusCode);
        Assert.Equal(Samples.FileIn(id), endpoint.GetProperty("location").GetProperty("path").GetString());
    }

    [Fact]
    public async Task PutEndpoint_PostgresOutsideTheProductsSchemaOrTheMeshDatabase_Is400()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var id = await RegisterAsync(writer, "postgres", ct);
        var mesh = new NpgsqlConnectionStringBuilder(_registry.Service<IConfiguration>().GetConnectionString("meshdb"));
        var schema = MeshNames.ProductSchema(id);

        object[] hostile =
        [
            new { schema = "pg_catalog", table = "pg_authid" },
            new { database = "postgres", schema, table = "titles" },
            new { schema = "registry", table = "grants" },
            new { schema, table = "titles; DROP TABLE x" },
            new { schema, table = "titles", host = "evil.example" },
            new { schema, table = "titles", port = 1 },
            new { schema, table = "titles", options = "-c search_path=pg_catalog" },
        ];
        var answers = new List<(HttpStatusCode, string)>();
        foreach (var location in hostile)
        {
            using var response = await writer.PutAsJsonAsync($"/data-products/{id}/endpoints/titles", new { kind = "postgres", location }, ct);
            answers.Add((response.StatusCode, string.Join(" ", (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("errors").EnumerateObject().Select(e => e.Name))));
        }

        using var stored = await writer.PutAsJsonAsync($"/data-products/{id}/endpoints/titles",
            new { kind = "postgres", location = new { host = mesh.Host, port = mesh.Port, database = mesh.Database, schema, table = "titles" } }, ct);

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.BadRequest, a.Item1));
        Assert.Equal(["location.schema", "location.database", "location.schema", "location.table", "location.host", "location.port", "location.options"], answers.Select(a => a.Item2));
        Assert.Equal(HttpStatusCode.NoContent, stored.StatusCode);
    }

    [Fact]
    public async Task PutEndpoint_KindOtherThanDeclared_OrUnknownProperty_Is400()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var id = await Samples.RegisterAsync(writer, ct);

        using var otherKind = await writer.PutAsJsonAsync($"/data-products/{id}/endpoints/titles",
            new { kind = "postgres", location = new { schema = MeshNames.ProductSchema(id), table = "titles" } }, ct);
        using var unknown = await writer.PutAsJsonAsync($"/data-products/{id}/endpoints/titles",
            new { kind = "csv", location = new { path = Samples.FileIn(id), url = "http://169.254.169.254/" } }, ct);

        Assert.Equal(HttpStatusCode.BadRequest, otherKind.StatusCode);
        Assert.Contains("declared as csv", (await otherKind.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("errors").GetProperty("kind")[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("not a property of a csv location", (await unknown.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("errors").GetProperty("location.url")[0].GetString());
    }

    [Fact]
    public async Task PutEndpoint_LakehouseTableAndKafkaTopic_AreTheProductsOwn()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var lake = await RegisterAsync(writer, "lakehouse", ct);
        var stream = await RegisterAsync(writer, "kafka", ct);
        var slug = lake[(lake.IndexOf('.') + 1)..];

        using var otherTable = await writer.PutAsJsonAsync($"/data-products/{lake}/endpoints/titles",
            new { kind = "lakehouse", location = new { table = "advertising/ad-impressions/impressions" } }, ct);
        using var ownTable = await writer.PutAsJsonAsync($"/data-products/{lake}/endpoints/titles",
            new { kind = "lakehouse", location = new { table = $"content/{slug}/titles", provisioned = true } }, ct);
        using var otherTopic = await writer.PutAsJsonAsync($"/data-products/{stream}/endpoints/titles",
            new { kind = "kafka", location = new { topic = "meshinabox.registry.events" } }, ct);
        using var badTopic = await writer.PutAsJsonAsync($"/data-products/{stream}/endpoints/titles",
            new { kind = "kafka", location = new { topic = "content.a/b" } }, ct);
        using var ownTopic = await writer.PutAsJsonAsync($"/data-products/{stream}/endpoints/titles",
            new { kind = "kafka", location = new { topic = "content.titles.v1" } }, ct);

        Assert.Equal(HttpStatusCode.BadRequest, otherTable.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, ownTable.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, otherTopic.StatusCode);
        Assert.Contains("under the product's domain", (await otherTopic.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("errors").GetProperty("location.topic")[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, badTopic.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, ownTopic.StatusCode);
    }

    [Fact]
    public async Task RegisterAndPublish_OutputLocationsOutsideTheProductsFolder_Are400()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var name = Samples.NewName();
        var body = JsonSerializer.SerializeToNode(Samples.Product(name))!;
        body["outputs"]![0]!["location"] = "/etc/passwd";
        body["outputs"]![0]!["transform"] = Samples.FileIn("content.someone-else", "sql/x.sql");

        using var register = await writer.PostAsJsonAsync("/data-products", body, ct);
        var id = await Samples.RegisterAsync(writer, ct);
        using var publish = await Samples.PublishAsync(writer, id,
            new { version = "1.0.0", contract = Samples.Contract("1.0.0"), outputs = new[] { new { name = "titles", kind = "csv", location = "/etc/passwd" } } }, "k-outside", ct);
        using var kafka = await Samples.PublishAsync(writer, id,
            new { version = "1.0.0", contract = Samples.Contract("1.0.0"), outputs = new[] { new { name = "titles", kind = "kafka", location = "advertising.secrets" } } }, "k-topic", ct);

        Assert.Equal(HttpStatusCode.BadRequest, register.StatusCode);
        var errors = (await register.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("errors");
        Assert.Contains("product's own folder", errors.GetProperty("outputs[0].location")[0].GetString());
        Assert.True(errors.TryGetProperty("outputs[0].transform", out _));
        Assert.Equal(HttpStatusCode.BadRequest, publish.StatusCode);
        Assert.Contains("product's own folder", (await publish.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("errors").GetProperty("outputs[0].location")[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, kafka.StatusCode);
    }

    [Fact]
    public async Task Register_WithoutRepositoryRoots_RefusesEveryFileLocation()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bare = await RegistryHost.StartAsync(server, GetType(), new Dictionary<string, string> { ["Locations:RepositoryRoots:0"] = "" });
        using var writer = bare.Writer("content");

        using var response = await writer.PostAsJsonAsync("/data-products", Samples.Product(Samples.NewName()), ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private static async Task<string> RegisterAsync(HttpClient writer, string kind, CancellationToken ct)
    {
        var name = Samples.NewName();
        var body = JsonSerializer.SerializeToNode(Samples.Product(name))!;
        body["outputs"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["name"] = "titles", ["kind"] = kind });
        using var response = await writer.PostAsJsonAsync("/data-products", body, ct);
        response.EnsureSuccessStatusCode();
        return Samples.IdOf(name);
    }
}
