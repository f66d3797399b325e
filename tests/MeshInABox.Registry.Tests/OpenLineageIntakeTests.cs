using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using MeshInABox.Domain.Access;
using MeshInABox.Registry.Infrastructure;
using MeshInABox.Testing;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace MeshInABox.Registry.Tests;

/// <summary>POST /api/v1/lineage and GET /api/v1/lineage/events on a real database: the spec's rules, domains, all or nothing.</summary>
public sealed class OpenLineageIntakeTests(PostgresServerFixture server) : IAsyncLifetime
{
    private const string Producer = "https://github.com/OpenLineage/OpenLineage/tree/1.40.0/client/python";
    private const string RunEventSchema = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";

    private RegistryHost _registry = null!;

    public async ValueTask InitializeAsync() => _registry = await RegistryHost.StartAsync(server, GetType());

    public ValueTask DisposeAsync() => _registry.DisposeAsync();

    /// <summary>A COMPLETE run of a job of <paramref name="domain"/> reading two tables into one, with column lineage.</summary>
    public static JsonObject RunEvent(string job, string domain = "content", string eventType = "COMPLETE", Guid? runId = null) => new()
    {
        ["eventType"] = eventType,
        ["eventTime"] = "2026-12-01T10:15:00.000Z",
        ["producer"] = Producer,
        ["schemaURL"] = RunEventSchema,
        ["run"] = new JsonObject { ["runId"] = (runId ?? Guid.NewGuid()).ToString() },
        ["job"] = new JsonObject
        {
            ["namespace"] = $"mesh://{domain}",
            ["name"] = job,
            ["facets"] = new JsonObject
            {
                ["sql"] = Facet("SQLJobFacet", ("query", "INSERT INTO ratings SELECT t.id, avg(r.score) FROM titles t JOIN reviews r ON r.title = t.id GROUP BY t.id")),
            },
        },
        ["inputs"] = new JsonArray(Dataset($"{job}.titles"), Dataset($"{job}.reviews")),
        ["outputs"] = new JsonArray(new JsonObject
        {
            ["namespace"] = "postgres://localhost:5432",
            ["name"] = $"{job}.ratings",
            ["facets"] = new JsonObject
            {
                ["schema"] = Facet("SchemaDatasetFacet", ("fields", new JsonArray(
                    new JsonObject { ["name"] = "id", ["type"] = "text" },
                    new JsonObject { ["name"] = "score", ["type"] = "double", ["description"] = "mean review score" }))),
                ["columnLineage"] = Facet("ColumnLineageDatasetFacet", ("fields", new JsonObject
                {
                    ["id"] = new JsonObject { ["inputFields"] = new JsonArray(InputField($"{job}.titles", "id", "DIRECT", "IDENTITY")) },
                    ["score"] = new JsonObject { ["inputFields"] = new JsonArray(InputField($"{job}.reviews", "score", "DIRECT", "AGGREGATION")) },
                }), ("dataset", new JsonArray(InputField($"{job}.reviews", "title", "INDIRECT", "JOIN")))),
            },
        }),
    };

    [Fact]
    public async Task Post_OneRunEvent_StoresTheEventAndItsRuntimeDatasetAndColumnEdges()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var job = Job();

        using var response = await writer.PostAsJsonAsync("/api/v1/lineage", RunEvent(job), ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var intake = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.Equal(1, intake.GetProperty("stored").GetInt32());
        Assert.Equal(2, intake.GetProperty("datasetEdges").GetInt32());
        Assert.Equal(2, intake.GetProperty("columnEdges").GetInt32());
        var store = _registry.Service<LineageStore>();
        var edges = await store.DatasetEdgesIntoAsync("postgres://localhost:5432", $"{job}.ratings", ct);
        Assert.Equal([$"{job}.reviews", $"{job}.titles"], edges.Select(e => e.SourceName));
        Assert.All(edges, e => Assert.Equal(("mesh://content", job, "content"), (e.JobNamespace, e.JobName, e.Domain)));
        var columns = await store.ColumnEdgesIntoAsync("postgres://localhost:5432", $"{job}.ratings", ct);
        Assert.Equal([("id", $"{job}.titles", "id"), ("score", $"{job}.reviews", "score")], columns.Select(c => (c.TargetField, c.SourceName, c.SourceField)));
        Assert.Equal("AGGREGATION", columns[1].Transformations[0].GetProperty("subtype").GetString());
    }

    [Fact]
    public async Task Post_TheSameEventTwice_StoresItOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var job = Job();
        var runEvent = RunEvent(job);

        using var first = await writer.PostAsJsonAsync("/api/v1/lineage", runEvent, ct);
        using var again = await writer.PostAsJsonAsync("/api/v1/lineage", new JsonArray(runEvent.DeepClone(), runEvent.DeepClone()), ct);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var intake = await again.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.Equal((2, 0, 2), (intake.GetProperty("received").GetInt32(), intake.GetProperty("stored").GetInt32(), intake.GetProperty("duplicates").GetInt32()));
        Assert.Equal(1, await StoredEventsAsync(job, ct));
    }

    [Fact]
    public async Task Post_TheSameEventsConcurrentlyInOppositeOrders_StoresEachOnce_WithoutAnError()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var job = Job();
        var (first, second) = (RunEvent(job, eventType: "START"), RunEvent(job));

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => writer.PostAsJsonAsync(
            "/api/v1/lineage", i % 2 == 0 ? new JsonArray(first.DeepClone(), second.DeepClone()) : new JsonArray(second.DeepClone(), first.DeepClone()), ct)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(2, await StoredEventsAsync(job, ct));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Post_ABatchOfTheThreeEventKinds_StoresThemInOrder_AndTheyAreReadBackPaged()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content", "sales");
        var job = Job();
        var jobEvent = new JsonObject
        {
            ["eventTime"] = "2026-12-01T10:00:00+01:00",
            ["producer"] = Producer,
            ["schemaURL"] = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/JobEvent",
            ["job"] = new JsonObject { ["namespace"] = "mesh://sales", ["name"] = job },
            ["inputs"] = new JsonArray(Dataset($"{job}.orders")),
        };
        var datasetEvent = new JsonObject
        {
            ["eventTime"] = "2026-12-01T10:00:01Z",
            ["producer"] = Producer,
            ["schemaURL"] = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent",
            ["dataset"] = new JsonObject { ["namespace"] = "mesh://sales", ["name"] = job },
        };
        using var start = await writer.GetAsync("/api/v1/lineage/events?limit=1000", ct);
        var after = (await start.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("next").GetInt64();

        using var response = await writer.PostAsJsonAsync("/api/v1/lineage", new JsonArray(RunEvent(job), jobEvent, datasetEvent), ct);
        using var reader = _registry.Anonymous();
        var first = await Eventually.ReadAsync(
            () => reader.GetFromJsonAsync<JsonElement>($"/api/v1/lineage/events?after={after}&limit=2", ct),
            page => page.GetProperty("events").GetArrayLength() == 2, ct);
        var second = await Eventually.ReadAsync(
            () => reader.GetFromJsonAsync<JsonElement>($"/api/v1/lineage/events?after={first.GetProperty("next").GetInt64()}&limit=2", ct),
            page => page.GetProperty("events").GetArrayLength() >= 1, ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = first.GetProperty("events").EnumerateArray().Concat(second.GetProperty("events").EnumerateArray()).ToList();
        Assert.Equal(["RunEvent", "JobEvent", "DatasetEvent"], events.Select(e => e.GetProperty("kind").GetString()));
        Assert.Equal(["content", "sales", "sales"], events.Select(e => e.GetProperty("domain").GetString()));
        Assert.Equal(job, events[1].GetProperty("event").GetProperty("job").GetProperty("name").GetString());
        Assert.Empty(await _registry.Service<LineageStore>().DatasetEdgesIntoAsync("postgres://localhost:5432", $"{job}.orders", ct));
    }

    [Fact]
    public async Task Post_ABatchWithOneBadEvent_Is400NamingItsFieldPath_AndStoresNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var job = Job();
        var bad = RunEvent(job);
        bad["run"]!["runId"] = "not-a-uuid";

        using var response = await writer.PostAsJsonAsync("/api/v1/lineage", new JsonArray(RunEvent(job), RunEvent(job), bad), ct);

        var errors = await ErrorsAsync(response, HttpStatusCode.BadRequest, ct);
        Assert.Equal(["[2].run.runId"], errors.EnumerateObject().Select(p => p.Name));
        Assert.Contains("not a UUID", errors.GetProperty("[2].run.runId")[0].GetString());
        Assert.Equal(0, await StoredEventsAsync(job, ct));
    }

    public static TheoryData<string, string, string> BrokenEvents => new()
    {
        { "eventTime", "\"yesterday\"", "eventTime" },
        { "eventTime", "\"2026-12-01 10:15:00\"", "eventTime" },
        { "eventTime", "1733045700", "eventTime" },
        { "producer", "\"not a uri\"", "producer" },
        { "schemaURL", "null", "schemaURL" },
        { "eventType", "\"FINISHED\"", "eventType" },
        { "eventType", "3", "eventType" },
        { "job", "{\"namespace\": \"mesh://content\"}", "job.name" },
        { "job", "\"a job\"", "job" },
        { "run", "{\"runId\": 42}", "run.runId" },
        { "run", "{\"runId\": \"0176a8c2-fe01-7439-87e6-56a1a1b4029f\", \"facets\": {\"parent\": {\"_producer\": \"x:y\"}}}", "run.facets.parent._schemaURL" },
        { "inputs", "{}", "inputs" },
        { "inputs", "[{\"namespace\": \"file\"}]", "inputs[0].name" },
        { "inputs", "[{\"namespace\": \"file\", \"name\": \"\"}]", "inputs[0].name" },
        { "outputs", "[{\"namespace\": \"file\", \"name\": \"x\", \"facets\": {\"schema\": {\"_producer\": \"x:y\", \"_schemaURL\": \"x:y\", \"fields\": [{\"type\": \"int\"}]}}}]", "outputs[0].facets.schema.fields[0].name" },
        { "outputs", "[{\"namespace\": \"file\", \"name\": \"x\", \"facets\": {\"schema\": {\"_producer\": \"x:y\", \"_schemaURL\": \"x:y\", \"fields\": {}}}}]", "outputs[0].facets.schema.fields" },
        { "outputs", "[{\"namespace\": \"file\", \"name\": \"x\", \"facets\": {\"columnLineage\": {\"_producer\": \"x:y\", \"_schemaURL\": \"x:y\"}}}]", "outputs[0].facets.columnLineage.fields" },
        { "outputs", "[{\"namespace\": \"file\", \"name\": \"x\", \"facets\": {\"columnLineage\": {\"_producer\": \"x:y\", \"_schemaURL\": \"x:y\", \"fields\": {\"a\": {}}}}}]", "outputs[0].facets.columnLineage.fields.a.inputFields" },
        { "outputs", "[{\"namespace\": \"file\", \"name\": \"x\", \"facets\": {\"columnLineage\": {\"_producer\": \"x:y\", \"_schemaURL\": \"x:y\", \"fields\": {\"a\": {\"inputFields\": [{\"namespace\": \"file\", \"name\": \"y\", \"field\": \"b\", \"transformations\": [{\"type\": \"COPY\"}]}]}}}}}]", "outputs[0].facets.columnLineage.fields.a.inputFields[0].transformations[0].type" },
        { "outputs", "[{\"namespace\": \"file\", \"name\": \"x\", \"facets\": {\"columnLineage\": {\"_producer\": \"x:y\", \"_schemaURL\": \"x:y\", \"fields\": {\"a\": {\"inputFields\": [{\"namespace\": \"file\", \"name\": \"y\", \"field\": \"b\", \"transformations\": [{\"type\": \"DIRECT\", \"subtype\": \"JOIN\"}]}]}}}}}]", "outputs[0].facets.columnLineage.fields.a.inputFields[0].transformations[0].subtype" },
        { "outputs", "[{\"namespace\": \"file\", \"name\": \"x\", \"facets\": {\"columnLineage\": {\"_producer\": \"x:y\", \"_schemaURL\": \"x:y\", \"fields\": {\"a\": {\"inputFields\": [{\"namespace\": \"file\", \"name\": \"y\"}]}}}}}]", "outputs[0].facets.columnLineage.fields.a.inputFields[0].field" },
        { "outputs", "[{\"namespace\": \"file\", \"name\": \"x\", \"facets\": {\"stats\": 5}}]", "outputs[0].facets.stats" },
        { "outputs", "[{\"namespace\": \"file\", \"name\": \"x\", \"facets\": {\"stats\": {\"_producer\": \"x:y\", \"_schemaURL\": \"x:y\", \"rowCount\": 1e1000000}}}]", "outputs[0].facets.stats.rowCount" },
        { "outputs", "[{\"namespace\": \"file\", \"name\": \"x\", \"facets\": {\"stats\": {\"_producer\": \"x:y\", \"_schemaURL\": \"x:y\", \"bytes\": 0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001}}}]", "outputs[0].facets.stats.bytes" },
    };

    [Theory]
    [MemberData(nameof(BrokenEvents))]
    public async Task Post_AnEventBreakingTheSpec_Is400NamingTheField_AndStoresNothing(string property, string value, string field)
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var job = Job();
        var runEvent = RunEvent(job);
        runEvent[property] = JsonNode.Parse(value);

        using var response = await writer.PostAsJsonAsync("/api/v1/lineage", runEvent, ct);

        var errors = await ErrorsAsync(response, HttpStatusCode.BadRequest, ct);
        Assert.True(errors.TryGetProperty(field, out _), $"expected an error at {field}, got {errors}");
        Assert.Equal(0, await StoredEventsAsync(job, ct));
    }

    [Fact]
    public async Task Post_AnEventOfNoKnownKind_Is400()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");

        using var response = await writer.PostAsJsonAsync("/api/v1/lineage", new { eventTime = "2026-12-01T10:15:00Z", producer = Producer, schemaURL = RunEventSchema }, ct);
        using var scalar = await writer.PostAsync("/api/v1/lineage", Json("[42]"), ct);
        using var empty = await writer.PostAsync("/api/v1/lineage", Json("[]"), ct);

        Assert.Contains("none", (await ErrorsAsync(response, HttpStatusCode.BadRequest, ct)).GetProperty("$")[0].GetString());
        Assert.True((await ErrorsAsync(scalar, HttpStatusCode.BadRequest, ct)).TryGetProperty("[0]", out _));
        Assert.True((await ErrorsAsync(empty, HttpStatusCode.BadRequest, ct)).TryGetProperty("$", out _));
    }

    [Theory]
    [InlineData("{\"eventTime\": ")]
    [InlineData("{\"eventTime\": \"2026-12-01T10:15:00Z\",}")]
    [InlineData("not json")]
    [InlineData("")]
    public async Task Post_MalformedJson_Is400_NotA500(string body)
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");

        using var response = await writer.PostAsync("/api/v1/lineage", Json(body), ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Post_DeeplyNestedFacet_Is400_AndTheServiceLivesOn()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var job = Job();
        var text = RunEvent(job).ToJsonString().Replace("\"inputs\":", "\"deep\":" + new string('[', 100_000) + new string(']', 100_000) + ",\"inputs\":");

        using var response = await writer.PostAsync("/api/v1/lineage", Json(text), ct);
        using var health = await _registry.Anonymous().GetAsync("/health", ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(0, await StoredEventsAsync(job, ct));
    }

    [Fact]
    public async Task Post_HugeStringsAndNul_Are4xx_AndStoreNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var job = Job();
        var longName = RunEvent(job);
        longName["inputs"]![0]!["name"] = new string('x', 5_000);
        var longProducer = RunEvent(job);
        longProducer["producer"] = "https://example.com/" + new string('p', 5_000);
        var overLimit = RunEvent(job);
        overLimit["job"]!["facets"]!["sql"]!["query"] = new string('q', 2_000_000);
        var nul = RunEvent(job).ToJsonString().Replace($"\"name\":\"{job}\"", $"\"name\":\"{job}\\u0000\"");

        using var nameResponse = await writer.PostAsJsonAsync("/api/v1/lineage", longName, ct);
        using var producerResponse = await writer.PostAsJsonAsync("/api/v1/lineage", longProducer, ct);
        using var overLimitResponse = await writer.PostAsync("/api/v1/lineage", Json(overLimit.ToJsonString()), ct);
        using var nulResponse = await writer.PostAsync("/api/v1/lineage", Json(nul), ct);

        Assert.Contains("at most 1000", (await ErrorsAsync(nameResponse, HttpStatusCode.BadRequest, ct)).GetProperty("inputs[0].name")[0].GetString());
        Assert.Contains("at most 2000", (await ErrorsAsync(producerResponse, HttpStatusCode.BadRequest, ct)).GetProperty("producer")[0].GetString());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, overLimitResponse.StatusCode);
        Assert.True((await ErrorsAsync(nulResponse, HttpStatusCode.BadRequest, ct)).TryGetProperty("$.job.name", out _));
        Assert.Equal(0, await StoredEventsAsync(job, ct));
    }

    [Fact]
    public async Task Post_MoreEventsOrEdgesThanTheCaps_Is413_AndStoresNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        var job = Job();
        var tooMany = new JsonArray([.. Enumerable.Range(0, 1001).Select(_ => (JsonNode)new JsonObject { ["job"] = new JsonObject() })]);
        var wide = RunEvent(job);
        wide["inputs"] = new JsonArray([.. Enumerable.Range(0, 100).Select(i => (JsonNode)Dataset($"in{i}"))]);
        wide["outputs"] = new JsonArray([.. Enumerable.Range(0, 100).Select(i => (JsonNode)Dataset($"out{i}"))]);
        var wider = wide.DeepClone().AsObject();
        wider["run"]!["runId"] = Guid.NewGuid().ToString();
        var tooWide = RunEvent(job);
        tooWide["inputs"] = new JsonArray([.. Enumerable.Range(0, 101).Select(i => (JsonNode)Dataset($"in{i}"))]);

        using var tooManyResponse = await writer.PostAsJsonAsync("/api/v1/lineage", tooMany, ct);
        using var edgesResponse = await writer.PostAsJsonAsync("/api/v1/lineage", new JsonArray(wide, wider), ct);
        using var tooWideResponse = await writer.PostAsJsonAsync("/api/v1/lineage", tooWide, ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooManyResponse.StatusCode);
        Assert.Contains("at most 1000", (await tooManyResponse.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, edgesResponse.StatusCode);
        Assert.Contains("at most 100 are allowed", (await ErrorsAsync(tooWideResponse, HttpStatusCode.BadRequest, ct)).GetProperty("inputs")[0].GetString());
        Assert.Equal(0, await StoredEventsAsync(job, ct));
    }

    [Fact]
    public async Task Post_WithoutAToken_Is401_AndWithAnExpiredOne_Is401()
    {
        var ct = TestContext.Current.CancellationToken;
        var job = Job();
        var past = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-3));
        using var expired = _registry.WithToken(ServiceDefaults.LocalTokens.Issue(
            _registry.SigningKeyFile, "test-user", ["content"], [MeshAccess.WriteScope], TimeSpan.FromHours(1), past));

        using var anonymous = await _registry.Anonymous().PostAsJsonAsync("/api/v1/lineage", RunEvent(job), ct);
        using var expiredResponse = await expired.PostAsJsonAsync("/api/v1/lineage", RunEvent(job), ct);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, expiredResponse.StatusCode);
        Assert.Contains("invalid_token", expiredResponse.Headers.WwwAuthenticate.ToString());
        Assert.Equal(0, await StoredEventsAsync(job, ct));
    }

    [Fact]
    public async Task Post_ForAnotherDomain_OrANamespaceNamingNoDomain_OrWithoutTheWriteScope_Is403_AndStoresNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        using var reader = _registry.WithToken(_registry.Token(["content"], MeshAccess.ReadScope));
        var job = Job();
        var foreign = RunEvent(job, domain: "sales");
        var airflow = RunEvent(job);
        airflow["job"]!["namespace"] = "airflow-prod";
        var badDomain = RunEvent(job);
        badDomain["job"]!["namespace"] = "mesh://Content";

        using var mixed = await writer.PostAsJsonAsync("/api/v1/lineage", new JsonArray(RunEvent(job), foreign), ct);
        using var airflowResponse = await writer.PostAsJsonAsync("/api/v1/lineage", new JsonArray(airflow, badDomain), ct);
        using var readerResponse = await reader.PostAsJsonAsync("/api/v1/lineage", RunEvent(job), ct);

        Assert.Equal(HttpStatusCode.Forbidden, mixed.StatusCode);
        var refused = (await mixed.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("refused");
        Assert.Equal(["[1].job.namespace"], refused.EnumerateObject().Select(p => p.Name));
        Assert.Contains("not 'sales'", refused.GetProperty("[1].job.namespace").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, airflowResponse.StatusCode);
        var reasons = (await airflowResponse.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("refused");
        Assert.Contains("mesh://<domain>", reasons.GetProperty("[0].job.namespace").GetString());
        Assert.Contains("kebab case", reasons.GetProperty("[1].job.namespace").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, readerResponse.StatusCode);
        Assert.Equal(0, await StoredEventsAsync(job, ct));
    }

    [Fact]
    public async Task Post_ForAnyDomain_WithThePlatformToken_IsStored()
    {
        var ct = TestContext.Current.CancellationToken;
        using var platform = _registry.Writer(MeshAccess.AnyDomain);
        var job = Job();

        using var response = await platform.PostAsJsonAsync("/api/v1/lineage", RunEvent(job, domain: "sales"), ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, await StoredEventsAsync(job, ct));
    }

    [Theory]
    [InlineData("after=-1", "after")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("after=999999999", "after")]
    public async Task GetEvents_BadPaging_Is400(string query, string field)
    {
        var ct = TestContext.Current.CancellationToken;

        using var response = await _registry.Anonymous().GetAsync($"/api/v1/lineage/events?{query}", ct);

        Assert.True((await ErrorsAsync(response, HttpStatusCode.BadRequest, ct)).TryGetProperty(field, out _));
    }

    private static string Job() => "ratings_" + Guid.NewGuid().ToString("N")[..10];

    private static JsonObject Dataset(string name) => new() { ["namespace"] = "postgres://localhost:5432", ["name"] = name };

    private static JsonObject InputField(string dataset, string field, string type, string subtype) => new()
    {
        ["namespace"] = "postgres://localhost:5432",
        ["name"] = dataset,
        ["field"] = field,
        ["transformations"] = new JsonArray(new JsonObject { ["type"] = type, ["subtype"] = subtype, ["masking"] = false }),
    };

    private static JsonObject Facet(string name, params (string Key, JsonNode Value)[] properties)
    {
        var facet = new JsonObject
        {
            ["_producer"] = Producer,
            ["_schemaURL"] = $"https://openlineage.io/spec/facets/1-2-0/{name}.json#/$defs/{name}",
        };
        foreach (var (key, value) in properties)
        {
            facet[key] = value;
        }

        return facet;
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> ErrorsAsync(HttpResponseMessage response, HttpStatusCode expected, CancellationToken ct)
    {
        var body = await response.Content.ReadAsStringAsync(ct);
        Assert.True(expected == response.StatusCode, $"expected {expected}, got {response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("errors").Clone();
    }

    /// <summary>Events stored for a job, by any route: all or nothing means this stays 0 after a refused post.</summary>
    private async Task<long> StoredEventsAsync(string job, CancellationToken ct)
    {
        await using var connection = await _registry.Service<NpgsqlDataSource>().OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM lineage_events WHERE job_name = @job OR event->'dataset'->>'name' = @job", new { job }, cancellationToken: ct));
    }
}
