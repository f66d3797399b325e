using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MeshInABox.Testing;

namespace MeshInABox.Registry.Tests;

/// <summary>
/// The storage plane behind publishing: outputs that declare a template are checked before anything is created,
/// provisioned step by step (shown on the version), and the locator gets their place from provisioning only.
/// </summary>
public sealed class StorageProvisioningTests(PostgresServerFixture server) : IAsyncLifetime
{
    private readonly string _lake = TemporaryDirectory.Create("mesh-lake-");
    private RegistryHost _registry = null!;

    public async ValueTask InitializeAsync() => _registry = await RegistryHost.StartAsync(server, GetType(), new Dictionary<string, string>
    {
        ["Registry:Storage:Enabled"] = "true",
        ["Registry:Storage:LakeRoot"] = _lake,
    });

    public async ValueTask DisposeAsync()
    {
        await _registry.DisposeAsync();
        Directory.Delete(_lake, recursive: true);
    }

    [Fact]
    public async Task LakehouseOutput_IsProvisionedBeforeItsVersionGoesActive_AndAPatchChangesOnlyTheRecordedContractVersion()
    {
        var ct = TestContext.Current.CancellationToken;
        using var owner = _registry.Writer("content");
        var id = await RegisterAsync(owner, "lakehouse", new { template = "lakehouse", parameters = new Dictionary<string, string> { ["partitionBy"] = "none" } }, ct);

        using var first = await Samples.PublishAsync(owner, id, Samples.Version("1.0.0"), "v1", ct);
        var active = await _registry.WaitForDecisionAsync(owner, id, "1.0.0", ct);
        using var second = await Samples.PublishAsync(owner, id, Samples.Version("1.0.1"), "v2", ct);
        var again = await _registry.WaitForDecisionAsync(owner, id, "1.0.1", ct);
        var endpoints = await owner.GetFromJsonAsync<JsonElement>($"/data-products/{id}/endpoints", ct);
        using var overwrite = await owner.PutAsJsonAsync($"/data-products/{id}/endpoints/titles", new { kind = "lakehouse", location = new { table = "x" } }, ct);

        Assert.True(active.GetProperty("status").GetString() == "active", active.ToString());
        var record = Assert.Single(active.GetProperty("provisioning").EnumerateArray());
        Assert.Equal(("titles", "lakehouse", false), (record.GetProperty("output").GetString(), record.GetProperty("template").GetString(), record.GetProperty("failed").GetBoolean()));
        Assert.True(record.GetProperty("changes").GetInt32() > 0);
        Assert.Equal("active", again.GetProperty("status").GetString());
        // The table is as declared; only the contract version it records moves on.
        var steps = Assert.Single(again.GetProperty("provisioning").EnumerateArray()).GetProperty("steps").EnumerateArray()
            .ToDictionary(s => s.GetProperty("step").GetString()!, s => s.GetProperty("outcome").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["namespace"] = "unchanged", ["table"] = "unchanged", ["properties"] = "changed" }, steps);
        var slug = id[(id.IndexOf('.') + 1)..];
        Assert.True(Directory.Exists(Path.Combine(_lake, "content", slug, "titles", "metadata")));
        var location = Assert.Single(endpoints.EnumerateArray()).GetProperty("location");
        Assert.Equal($"content/{slug}/titles", location.GetProperty("table").GetString());
        Assert.True(location.GetProperty("provisioned").GetBoolean());
        Assert.Equal(HttpStatusCode.BadRequest, overwrite.StatusCode);
        Assert.Contains("written by provisioning only", await overwrite.Content.ReadAsStringAsync(ct));
    }

    [Fact]
    public async Task KafkaOutput_WithoutABroker_IsRejectedWithTheReason_AndNothingIsProvisioned()
    {
        var ct = TestContext.Current.CancellationToken;
        using var owner = _registry.Writer("content");
        var id = await RegisterAsync(owner, "kafka", new { template = "kafka", parameters = new Dictionary<string, string> { ["partitions"] = "3" } }, ct);

        using var published = await Samples.PublishAsync(owner, id, new { version = "1.0.0", contract = Samples.Contract("1.0.0"), streamContract = StreamContract }, "v1", ct);
        var rejected = await _registry.WaitForDecisionAsync(owner, id, "1.0.0", ct);

        Assert.Equal("rejected", rejected.GetProperty("status").GetString());
        Assert.Contains(rejected.GetProperty("reasons").EnumerateArray(), r =>
            r.GetProperty("code").GetString() == "storage-parameter-invalid" && r.GetProperty("message").GetString()!.Contains("no Kafka broker configured"));
        Assert.Empty(rejected.GetProperty("provisioning").EnumerateArray());
    }

    [Fact]
    public async Task BadDeclarations_AreRefusedAtRegistrationOrBeforeAnythingIsCreated()
    {
        var ct = TestContext.Current.CancellationToken;
        using var owner = _registry.Writer("content");

        using var wrongTemplate = await owner.PostAsJsonAsync("/data-products", Product("lakehouse", new { template = "postgres" }), ct);
        using var unknownTemplate = await owner.PostAsJsonAsync("/data-products", Product("lakehouse", new { template = "s3" }), ct);
        using var badName = await owner.PostAsJsonAsync("/data-products", Product("lakehouse", new { template = "lakehouse", parameters = new Dictionary<string, string> { ["a b"] = "1" } }), ct);
        using var badValue = await owner.PostAsJsonAsync("/data-products", Product("lakehouse", new { template = "lakehouse", parameters = new Dictionary<string, string> { ["retention"] = "7d\n" } }), ct);
        var id = await RegisterAsync(owner, "lakehouse", new { template = "lakehouse", parameters = new Dictionary<string, string> { ["partitionBy"] = "hourly", ["colour"] = "red" } }, ct);
        using var published = await Samples.PublishAsync(owner, id, Samples.Version("1.0.0"), "v1", ct);
        var rejected = await _registry.WaitForDecisionAsync(owner, id, "1.0.0", ct);

        foreach (var (response, field) in new[] { (wrongTemplate, "outputs[0].storage.template"), (unknownTemplate, "outputs[0].storage.template"), (badName, "outputs[0].storage.parameters"), (badValue, "outputs[0].storage.parameters.retention") })
        {
            var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, ct);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        }

        Assert.Equal("rejected", rejected.GetProperty("status").GetString());
        Assert.Equal(2, rejected.GetProperty("reasons").EnumerateArray().Count(r => r.GetProperty("code").GetString() == "storage-parameter-invalid"));
        Assert.False(Directory.Exists(Path.Combine(_lake, "content", id[(id.IndexOf('.') + 1)..])));
    }

    private const string StreamContract = """
        asyncapi: 3.0.0
        info:
          title: Titles
          version: 1.0.0
        channels:
          titles:
            address: content.titles.v1
            messages:
              title:
                payload:
                  type: object
                  required: [title_id]
                  properties:
                    title_id: { type: string }
                    genre: { type: string }
                    release_year: { type: integer }
        operations:
          publishTitle:
            action: send
            channel:
              $ref: '#/channels/titles'
        """;

    private static object Product(string kind, object storage) => new
    {
        name = Samples.NewName(),
        domain = "content",
        owner = "team-yellow",
        businessUnit = "streaming",
        description = "Every title Messflix streams, with genre and release year.",
        tags = new[] { "content" },
        classification = "open",
        outputs = new[] { new { name = "titles", kind, storage } },
    };

    private static async Task<string> RegisterAsync(HttpClient owner, string kind, object storage, CancellationToken ct)
    {
        using var response = await owner.PostAsJsonAsync("/data-products", Product(kind, storage), ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(ct));
        return (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString()!;
    }
}
