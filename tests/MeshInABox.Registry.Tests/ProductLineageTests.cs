using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MeshInABox.Registry.ProductLineage;
using MeshInABox.Testing;

namespace MeshInABox.Registry.Tests;

/// <summary>
/// Design-time lineage on a real database: an output's SQL is bound against the registered products on publish,
/// its product, column and impact answers, no stale edge after the SQL changes, and the JobEvent a publish emits.
/// </summary>
public sealed class ProductLineageTests(PostgresServerFixture server) : IAsyncLifetime
{
    private RegistryHost _registry = null!;

    public async ValueTask InitializeAsync() => _registry = await RegistryHost.StartAsync(server, GetType());

    public ValueTask DisposeAsync() => _registry.DisposeAsync();

    private static string Contract(string table, string version, params string[] columns) => $"""
        apiVersion: v3.1.0
        kind: DataContract
        id: {table}
        version: {version}
        status: active
        schema:
          - name: {table}
            properties:
        {string.Join("\n", columns.Select(c => $"      - name: {c}\n        logicalType: string"))}
        """;

    /// <summary>Registers a product of domain 'lin' with one csv output; publishes its first version with <paramref name="sql"/> when given.</summary>
    private async Task<(string Id, string SqlName)> ProductAsync(HttpClient writer, string table, string[] columns, string? sql, CancellationToken ct, string? id = null)
    {
        var name = id ?? "p" + Guid.NewGuid().ToString("N")[..10];
        var productId = $"lin.{name}";
        using (var registered = await writer.PostAsJsonAsync("/data-products", new
        {
            name,
            domain = "lin",
            owner = "team-lin",
            description = "A product of the lineage tests.",
            businessUnit = "tests",
            tags = new[] { "lineage" },
            classification = "open",
            outputs = new[] { new { name = table, kind = "csv" } },
        }, ct))
        {
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        }

        var decided = await PublishAsync(writer, productId, table, "1.0.0", columns, sql, ct);
        Assert.True(decided.GetProperty("status").GetString() == "active", decided.ToString());
        return (productId, $"lin.{name}.{table}");
    }

    private async Task<JsonElement> PublishAsync(HttpClient writer, string productId, string table, string version, string[] columns, string? sql, CancellationToken ct)
    {
        var transform = Samples.FileIn(productId, "sql/x.sql");
        Directory.CreateDirectory(Path.GetDirectoryName(transform)!);
        await File.WriteAllTextAsync(transform, sql ?? "", ct);
        var location = Samples.FileIn(productId, "data/x.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(location)!);
        await File.WriteAllTextAsync(location, string.Join(',', columns) + "\n", ct);
        object output = sql is null ? new { name = table, kind = "csv", location } : new { name = table, kind = "csv", location, transform, sql };
        using var response = await Samples.PublishAsync(writer, productId, new { version, contract = Contract(table, version, columns), outputs = new[] { output } }, Guid.NewGuid().ToString(), ct);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync(ct));
        return await _registry.WaitForDecisionAsync(writer, productId, version, ct);
    }

    [Fact]
    public async Task DerivedProduct_ShowsItsUpstreamProductsAndEachColumnsPath()
    {
        var ct = TestContext.Current.CancellationToken;
        var writer = _registry.Writer("lin");
        var plans = await ProductAsync(writer, "plans", ["plan_id", "name", "price"], null, ct);
        var subscribers = await ProductAsync(writer, "subscribers", ["subscriber_id", "plan_id"], null, ct);
        var revenue = await ProductAsync(writer, "revenue", ["plan_name", "subscribers"],
            $"SELECT p.name AS plan_name, count(s.subscriber_id) AS subscribers FROM {plans.SqlName} AS p LEFT JOIN {subscribers.SqlName} s ON s.plan_id = p.plan_id GROUP BY p.name", ct);

        var graph = await writer.GetFromJsonAsync<JsonElement>($"/data-products/{revenue.Id}/lineage", ct);
        Assert.Equal("both", graph.GetProperty("direction").GetString());
        var links = graph.GetProperty("links").EnumerateArray().Select(l => (l.GetProperty("upstream").GetString(), l.GetProperty("downstream").GetString())).ToList();
        Assert.Equal(new[] { (plans.Id, revenue.Id), (subscribers.Id, revenue.Id) }.Order().ToList(), links.Select(l => (l.Item1!, l.Item2!)).Order().ToList());
        var upstream = graph.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("productId").GetString() == plans.Id);
        Assert.Equal(-1, upstream.GetProperty("distance").GetInt32());
        Assert.Equal("team-lin", upstream.GetProperty("owner").GetString());
        Assert.Equal("active", upstream.GetProperty("status").GetString());

        var column = await writer.GetFromJsonAsync<JsonElement>($"/data-products/{revenue.Id}/columns/plan_name/lineage", ct);
        var link = Assert.Single(column.GetProperty("links").EnumerateArray());
        Assert.Equal(plans.Id, link.GetProperty("source").GetProperty("productId").GetString());
        Assert.Equal("name", link.GetProperty("source").GetProperty("column").GetString());
        Assert.Equal("DIRECT", link.GetProperty("type").GetString());
        Assert.Equal("IDENTITY", link.GetProperty("subtype").GetString());

        var downstream = await writer.GetFromJsonAsync<JsonElement>($"/data-products/{plans.Id}/columns/plan_id/lineage?direction=downstream", ct);
        Assert.Empty(downstream.GetProperty("links").EnumerateArray()); // plan_id only decides the join: a dataset-level edge, no column's value

        var impact = await writer.GetFromJsonAsync<JsonElement>($"/data-products/{plans.Id}/impact", ct);
        var impacted = Assert.Single(impact.EnumerateArray());
        Assert.Equal(revenue.Id, impacted.GetProperty("productId").GetString());
        Assert.Contains("plans.name", impacted.GetProperty("readsColumns").EnumerateArray().Select(c => c.GetString()));

        // Deprecating plans names the product built on it and its owner; without a lakehouse, no usage to name, and it says so.
        using var deprecated = await writer.PostAsJsonAsync($"/data-products/{plans.Id}/deprecation", new { sunsetAt = DateTimeOffset.UtcNow.AddDays(90), message = "Use the new plans product." }, ct);
        Assert.Equal(HttpStatusCode.OK, deprecated.StatusCode);
        var notice = (await writer.GetFromJsonAsync<JsonElement>($"/data-products/{plans.Id}", ct)).GetProperty("deprecation");
        var named = Assert.Single(notice.GetProperty("downstream").EnumerateArray());
        Assert.Equal((revenue.Id, "team-lin"), (named.GetProperty("productId").GetString(), named.GetProperty("owner").GetString()));
        Assert.Empty(notice.GetProperty("consumers").EnumerateArray());
        Assert.Contains("lakehouse", notice.GetProperty("usageNote").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Depth_CountsWhatItLeftOut()
    {
        var ct = TestContext.Current.CancellationToken;
        var writer = _registry.Writer("lin");
        var a = await ProductAsync(writer, "a", ["x"], null, ct);
        var b = await ProductAsync(writer, "b", ["x"], $"SELECT x FROM {a.SqlName}", ct);
        var c = await ProductAsync(writer, "c", ["x"], $"SELECT x FROM {b.SqlName}", ct);

        var oneHop = await writer.GetFromJsonAsync<JsonElement>($"/data-products/{c.Id}/lineage?direction=upstream", ct);
        Assert.Equal(2, oneHop.GetProperty("nodes").GetArrayLength());
        Assert.Equal(1, oneHop.GetProperty("leftOutUpstream").GetInt32());
        Assert.Equal(1, oneHop.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("productId").GetString() == b.Id).GetProperty("hiddenUpstream").GetInt32());

        var twoHops = await writer.GetFromJsonAsync<JsonElement>($"/data-products/{c.Id}/lineage?direction=upstream&depth=2", ct);
        Assert.Equal(3, twoHops.GetProperty("nodes").GetArrayLength());
        Assert.Equal(0, twoHops.GetProperty("leftOutUpstream").GetInt32());

        var column = await writer.GetFromJsonAsync<JsonElement>($"/data-products/{c.Id}/columns/x/lineage?direction=upstream", ct);
        Assert.Equal(1, column.GetProperty("leftOut").GetInt32());
        var impact = await writer.GetFromJsonAsync<JsonElement>($"/data-products/{a.Id}/impact", ct);
        Assert.Equal([(b.Id, 1), (c.Id, 2)], impact.EnumerateArray().Select(i => (i.GetProperty("productId").GetString(), i.GetProperty("distance").GetInt32())));
    }

    [Fact]
    public async Task NewSql_ReplacesTheOldEdges_AndADependentPublishedFirstIsBoundLater()
    {
        var ct = TestContext.Current.CancellationToken;
        var writer = _registry.Writer("lin");
        var lateName = "p" + Guid.NewGuid().ToString("N")[..10];
        var other = await ProductAsync(writer, "other", ["y"], null, ct);
        var derived = await ProductAsync(writer, "d", ["y"], $"SELECT y FROM lin.{lateName}.late", ct);

        var before = await writer.GetFromJsonAsync<JsonElement>($"/data-products/{derived.Id}/lineage?direction=upstream", ct);
        Assert.Empty(before.GetProperty("links").EnumerateArray()); // the table is not registered yet: undetermined, not guessed

        // The dependent is bound again right after the late product's version is activated, by the same worker.
        var late = await ProductAsync(writer, "late", ["y"], null, ct, lateName);
        var bound = await writer.GetFromJsonAsync<JsonElement>($"/data-products/{derived.Id}/lineage?direction=upstream", ct);
        for (var tries = 0; tries < 300 && bound.GetProperty("links").GetArrayLength() == 0; tries++)
        {
            await Task.Delay(100, ct);
            bound = await writer.GetFromJsonAsync<JsonElement>($"/data-products/{derived.Id}/lineage?direction=upstream", ct);
        }

        Assert.Equal(late.Id, Assert.Single(bound.GetProperty("links").EnumerateArray()).GetProperty("upstream").GetString());

        var decided = await PublishAsync(writer, derived.Id, "d", "1.1.0", ["y"], $"SELECT y FROM {other.SqlName}", ct);
        Assert.Equal("active", decided.GetProperty("status").GetString());
        var after = await writer.GetFromJsonAsync<JsonElement>($"/data-products/{derived.Id}/lineage?direction=upstream", ct);
        Assert.Equal(other.Id, Assert.Single(after.GetProperty("links").EnumerateArray()).GetProperty("upstream").GetString());
        var lateImpact = await writer.GetFromJsonAsync<JsonElement>($"/data-products/{late.Id}/impact", ct);
        Assert.Empty(lateImpact.EnumerateArray());
    }

    /// <summary>
    /// The product graph is kept between answers under a stamp of what it is read from: the stamp holds while nothing
    /// changes, and moves with a rebind (under the test's fixed clock too), so no answer shows a link that is gone.
    /// </summary>
    [Fact]
    public async Task CachedGraph_FollowsARebind_AndANewProductsDeclaredInputs()
    {
        var ct = TestContext.Current.CancellationToken;
        var writer = _registry.Writer("lin");
        var store = _registry.Service<ProductLineageStore>();
        var upstream = await ProductAsync(writer, "u", ["y"], null, ct);
        var unchanged = await store.GraphStampAsync(ct);
        Assert.Equal(unchanged, await store.GraphStampAsync(ct));

        var derived = await ProductAsync(writer, "d", ["y"], $"SELECT y FROM {upstream.SqlName}", ct);
        Assert.NotEqual(unchanged, await store.GraphStampAsync(ct));
        var bound = await writer.GetFromJsonAsync<JsonElement>($"/data-products/{upstream.Id}/lineage?direction=downstream", ct);
        Assert.Equal(derived.Id, Assert.Single(bound.GetProperty("links").EnumerateArray()).GetProperty("downstream").GetString());

        // The derived version bound again with no lineage: the link goes, from the very next answer.
        var version = Assert.Single(await store.DependentsAsync(upstream.Id, ct));
        var beforeRebind = await store.GraphStampAsync(ct);
        Assert.True(await store.RebindAsync(version, [], ct));
        Assert.NotEqual(beforeRebind, await store.GraphStampAsync(ct));
        var unbound = await writer.GetFromJsonAsync<JsonElement>($"/data-products/{upstream.Id}/lineage?direction=downstream", ct);
        Assert.Empty(unbound.GetProperty("links").EnumerateArray());
        Assert.Empty((await writer.GetFromJsonAsync<JsonElement>($"/data-products/{upstream.Id}/impact", ct)).EnumerateArray());

        // A product registered with a declared input shows up on the next answer too.
        var readerName = "p" + Guid.NewGuid().ToString("N")[..10];
        using (var registered = await writer.PostAsJsonAsync("/data-products", new
        {
            name = readerName,
            domain = "lin",
            owner = "team-lin",
            description = "A product of the lineage tests.",
            businessUnit = "tests",
            classification = "open",
            outputs = new[] { new { name = "r", kind = "csv" } },
            inputs = new[] { new { product = upstream.Id, output = "u" } },
        }, ct))
        {
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        }

        var declared = await writer.GetFromJsonAsync<JsonElement>($"/data-products/{upstream.Id}/lineage?direction=downstream", ct);
        var link = Assert.Single(declared.GetProperty("links").EnumerateArray());
        Assert.Equal(($"lin.{readerName}", "declared"), (link.GetProperty("downstream").GetString(), Assert.Single(link.GetProperty("origins").EnumerateArray()).GetString()));
    }

    [Fact]
    public async Task SqlThatDoesNotParse_RejectsTheVersion_WithLineAndColumn()
    {
        var ct = TestContext.Current.CancellationToken;
        var writer = _registry.Writer("lin");
        using (var registered = await writer.PostAsJsonAsync("/data-products", new
        {
            name = "broken" + Guid.NewGuid().ToString("N")[..6], domain = "lin", owner = "team-lin", description = "A product whose SQL does not parse.", businessUnit = "tests",
            tags = new[] { "lineage" }, classification = "open", outputs = new[] { new { name = "t", kind = "csv" } },
        }, ct))
        {
            var id = (await registered.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString()!;
            var decided = await PublishAsync(writer, id, "t", "1.0.0", ["a"], "SELECT a\nFROM WHERE", ct);
            Assert.Equal("rejected", decided.GetProperty("status").GetString());
            Assert.True(decided.GetProperty("reasons").EnumerateArray().Any(r => r.GetProperty("code").GetString() == "sql-invalid"), decided.ToString());
            var reason = decided.GetProperty("reasons").EnumerateArray().Single(r => r.GetProperty("code").GetString() == "sql-invalid");
            Assert.Equal(2, reason.GetProperty("line").GetInt32());
            Assert.Contains("syntax error", reason.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Publish_EmitsADesignJobEvent_WithColumnLineage()
    {
        var ct = TestContext.Current.CancellationToken;
        var writer = _registry.Writer("lin");
        var source = await ProductAsync(writer, "s", ["v"], null, ct);
        var target = await ProductAsync(writer, "t", ["w"], $"SELECT upper(v) AS w FROM {source.SqlName}", ct);

        var page = await writer.GetFromJsonAsync<JsonElement>("/api/v1/lineage/events?limit=1000", ct);
        var job = page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("event"))
            .Single(e => e.GetProperty("job").GetProperty("name").GetString() == $"{target.Id}.t");
        Assert.Equal("mesh://lin", job.GetProperty("job").GetProperty("namespace").GetString());
        Assert.False(job.TryGetProperty("run", out _));
        Assert.Equal(source.SqlName, Assert.Single(job.GetProperty("inputs").EnumerateArray()).GetProperty("name").GetString());
        var field = job.GetProperty("outputs")[0].GetProperty("facets").GetProperty("columnLineage").GetProperty("fields").GetProperty("w").GetProperty("inputFields")[0];
        Assert.Equal("v", field.GetProperty("field").GetString());
        Assert.Equal("TRANSFORMATION", field.GetProperty("transformations")[0].GetProperty("subtype").GetString());
    }

    [Theory]
    [InlineData("?direction=sideways", "direction")]
    [InlineData("?depth=0", "depth")]
    [InlineData("?depth=21", "depth")]
    public async Task BadWalks_Are400s(string query, string field)
    {
        var ct = TestContext.Current.CancellationToken;
        var writer = _registry.Writer("lin");
        var product = await ProductAsync(writer, "q", ["x"], null, ct);
        using var response = await writer.GetAsync($"/data-products/{product.Id}/lineage{query}", ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        using var unknown = await writer.GetAsync("/data-products/lin.nothing-here/lineage", ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var noColumn = await writer.GetAsync($"/data-products/{product.Id}/columns/{new string('z', 300)}/lineage", ct);
        Assert.Equal(HttpStatusCode.BadRequest, noColumn.StatusCode);
        using var missingColumn = await writer.GetAsync($"/data-products/{product.Id}/columns/nope/lineage", ct);
        Assert.Equal(HttpStatusCode.NotFound, missingColumn.StatusCode);
    }
}
