using System.Net.Http.Json;
using Dapper;
using MeshInABox.Registry.DataHub;
using MeshInABox.Registry.ProductLineage;
using MeshInABox.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using static MeshInABox.Registry.Tests.DataHub.FeedTesting;

namespace MeshInABox.Registry.Tests.DataHub;

/// <summary>The DataHub feed on a real database against a local stand-in for GMS that checks Rest.li's request shapes.</summary>
public sealed class DataHubFeedTests(PostgresServerFixture server)
{
    [Fact]
    public async Task Feed_RegisterAndPublish_UpsertsTheDataProductAndItsDatasetOverRestLi()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var gms = FakeReceiver.Start();
        var lineage = new FixedLineage();
        await using var registry = await StartAsync(gms, await server.NewDatabaseAsync(nameof(DataHubFeedTests)), lineage);
        using var writer = registry.Writer("content");
        var upstream = await Samples.RegisterAsync(writer, ct);
        var id = await Samples.RegisterAsync(writer, ct);
        lineage.For[id] = [new OutputLineage(
            "titles",
            [new UpstreamTable("content.up.titles", upstream, "titles")],
            [new ColumnSource("title_id", new UpstreamTable("content.up.titles", upstream, "titles"), "title_id", "DIRECT", "IDENTITY"),
             new ColumnSource(null, new UpstreamTable("content.up.titles", upstream, "titles"), "genre", "INDIRECT", "FILTER")],
            null, null)];
        (await Samples.PublishAsync(writer, id, Samples.Version("1.0.0"), "v1", ct)).Dispose();
        await registry.WaitForDecisionAsync(writer, id, "1.0.0", ct);

        await UntilAsync(registry.Time, () => Proposals(gms.Accepted).Any(p => p.EntityUrn == TitlesUrn(id) && p.AspectName == "schemaMetadata"),
            "the published version's schema", ct);

        var request = gms.Accepted.First();
        Assert.Equal("POST", request.Method);
        Assert.Equal("/aspects?action=ingestProposalBatch", request.PathAndQuery);
        Assert.StartsWith("application/json", request.Headers["Content-Type"]);
        Assert.Equal("2.0.0", request.Headers["X-RestLi-Protocol-Version"]);
        Assert.Equal("Bearer feed-token", request.Headers["Authorization"]);

        var proposals = Proposals(gms.Accepted);
        var product = proposals.Where(p => p.EntityUrn == ProductUrn(id)).ToList();
        Assert.All(product, p => Assert.Equal("dataProduct", p.EntityType));
        var properties = product.Last(p => p.AspectName == "dataProductProperties").Aspect;
        Assert.StartsWith("titles ", properties.GetProperty("name").GetString());
        Assert.Equal("Every title Messflix streams, with genre and release year.", properties.GetProperty("description").GetString());
        var custom = properties.GetProperty("customProperties");
        Assert.Equal(("open", "active", "streaming", "1.0.0"), (custom.GetProperty("classification").GetString(), custom.GetProperty("status").GetString(),
            custom.GetProperty("businessUnit").GetString(), custom.GetProperty("version").GetString()));
        var asset = Assert.Single(properties.GetProperty("assets").EnumerateArray());
        Assert.Equal(TitlesUrn(id), asset.GetProperty("destinationUrn").GetString());
        Assert.True(asset.GetProperty("outputPort").GetBoolean());
        Assert.Equal("urn:li:domain:content", product.Last(p => p.AspectName == "domains").Aspect.GetProperty("domains")[0].GetString());
        var owner = product.Last(p => p.AspectName == "ownership").Aspect.GetProperty("owners")[0];
        Assert.Equal(("urn:li:corpGroup:team-yellow", "TECHNICAL_OWNER"), (owner.GetProperty("owner").GetString(), owner.GetProperty("type").GetString()));
        Assert.Equal(["urn:li:tag:content", "urn:li:tag:catalogue"],
            product.Last(p => p.AspectName == "globalTags").Aspect.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("tag").GetString()));
        Assert.False(product.Last(p => p.AspectName == "status").Aspect.GetProperty("removed").GetBoolean());

        var dataset = proposals.Where(p => p.EntityUrn == TitlesUrn(id)).ToList();
        Assert.All(dataset, p => Assert.Equal("dataset", p.EntityType));
        Assert.Equal("titles", dataset.Last(p => p.AspectName == "datasetProperties").Aspect.GetProperty("name").GetString());
        var schema = dataset.Last(p => p.AspectName == "schemaMetadata").Aspect;
        Assert.Equal("urn:li:dataPlatform:file", schema.GetProperty("platform").GetString());
        Assert.True(schema.GetProperty("platformSchema").TryGetProperty("com.linkedin.schema.OtherSchema", out _));
        var fields = schema.GetProperty("fields").EnumerateArray().ToList();
        Assert.Equal(["title_id", "genre", "release_year"], fields.Select(f => f.GetProperty("fieldPath").GetString()));
        Assert.Equal(["com.linkedin.schema.StringType", "com.linkedin.schema.StringType", "com.linkedin.schema.NumberType"],
            fields.Select(f => f.GetProperty("type").GetProperty("type").EnumerateObject().Single().Name));
        Assert.Equal([false, true, true], fields.Select(f => f.GetProperty("nullable").GetBoolean()));

        var upstreamLineage = dataset.Last(p => p.AspectName == "upstreamLineage").Aspect;
        var upstreamDataset = TitlesUrn(upstream);
        var link = Assert.Single(upstreamLineage.GetProperty("upstreams").EnumerateArray());
        Assert.Equal((upstreamDataset, "TRANSFORMED"), (link.GetProperty("dataset").GetString(), link.GetProperty("type").GetString()));
        var fine = Assert.Single(upstreamLineage.GetProperty("fineGrainedLineages").EnumerateArray());
        Assert.Equal("FIELD_SET", fine.GetProperty("upstreamType").GetString());
        Assert.Equal($"urn:li:schemaField:({upstreamDataset},title_id)", fine.GetProperty("upstreams")[0].GetString());
        Assert.Equal("FIELD", fine.GetProperty("downstreamType").GetString());
        Assert.Equal($"urn:li:schemaField:({TitlesUrn(id)},title_id)", fine.GetProperty("downstreams")[0].GetString());
        Assert.Equal("DIRECT:IDENTITY", fine.GetProperty("transformOperation").GetString());
    }

    [Fact]
    public async Task Feed_RetiredProduct_SendsStatusRemovedForTheProductAndItsDatasets()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var gms = FakeReceiver.Start();
        await using var registry = await StartAsync(gms, await server.NewDatabaseAsync(nameof(DataHubFeedTests)));
        using var writer = registry.Writer("content");
        var id = await Samples.RegisterAsync(writer, ct);
        (await writer.PostAsJsonAsync($"/data-products/{id}/deprecation", new { sunsetAt = registry.Time.GetUtcNow().AddDays(1), message = "Use another." }, ct)).Dispose();
        registry.Time.Advance(TimeSpan.FromDays(2));
        using var retired = await writer.PostAsync($"/data-products/{id}/retirement", null, ct);
        retired.EnsureSuccessStatusCode();

        await UntilAsync(registry.Time, () => Proposals(gms.Accepted).Any(p =>
            p.EntityUrn == ProductUrn(id) && p.AspectName == "status" && p.Aspect.GetProperty("removed").GetBoolean()), "the product's removal", ct);

        var last = Proposals(gms.Accepted).Where(p => p.AspectName == "status").GroupBy(p => p.EntityUrn).ToDictionary(g => g.Key, g => g.Last().Aspect);
        Assert.True(last[TitlesUrn(id)].GetProperty("removed").GetBoolean());
        var properties = Proposals(gms.Accepted).Last(p => p.AspectName == "dataProductProperties").Aspect;
        Assert.Equal("retired", properties.GetProperty("customProperties").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Feed_GmsDownThenFailingThenBack_LosesNothingAndAdvancesOnlyAfterAcceptance()
    {
        var ct = TestContext.Current.CancellationToken;
        var port = MeshInABox.Postgres.LocalCluster.Ports.FindFree();
        var database = await server.NewDatabaseAsync(nameof(DataHubFeedTests));
        await using var registry = await StartAsync(port, database);
        using var writer = registry.Writer("content");
        var first = await Samples.RegisterAsync(writer, ct);
        var second = await Samples.RegisterAsync(writer, ct);
        var feed = registry.Service<DataHubFeed>();

        // Connection refused: nothing listens yet.
        await UntilAsync(registry.Time, () => feed.ConsecutiveFailures >= 3, "failed attempts against a closed port", ct);
        Assert.Equal(0, await StoredPositionAsync(database, ct));

        await using var gms = FakeReceiver.Start(port);
        var unavailable = 0;
        gms.Answer = _ => Interlocked.Increment(ref unavailable) <= 4 ? (503, 0) : (200, null);
        await UntilAsync(registry.Time, () => Proposals(gms.Accepted).Any(p => p.EntityUrn == ProductUrn(second)), "both products after recovery", ct);

        Assert.True(gms.Requests.Count > gms.Accepted.Count, "GMS answered 503 before it recovered");
        var order = Proposals(gms.Accepted).Where(p => p.AspectName == "dataProductProperties").Select(p => p.EntityUrn).ToList();
        Assert.Equal([ProductUrn(first), ProductUrn(second)], order);
        await UntilAsync(registry.Time, () => feed.Pending == 0 && feed.Position > 0, "the position saved", ct);
        Assert.Equal(await LastOutboxPositionAsync(database, ct), await StoredPositionAsync(database, ct));
        Assert.Equal(0, feed.Refused);
    }

    [Fact]
    public async Task Feed_AfterRestart_ResumesFromTheStoredPositionWithoutResendingAcknowledgedProducts()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await server.NewDatabaseAsync(nameof(DataHubFeedTests));
        string before;
        await using (var gms = FakeReceiver.Start())
        {
            await using var registry = await StartAsync(gms, database);
            using var writer = registry.Writer("content");
            before = await Samples.RegisterAsync(writer, ct);
            await UntilAsync(registry.Time, () => Proposals(gms.Accepted).Any(p => p.EntityUrn == ProductUrn(before)), "the first product", ct);
            var feed = registry.Service<DataHubFeed>();
            await UntilAsync(registry.Time, () => feed.Position > 0, "the position saved", ct);
        }

        await using var gmsAgain = FakeReceiver.Start();
        await using var restarted = await StartAsync(gmsAgain, database);
        using var writerAgain = restarted.Writer("content");
        var after = await Samples.RegisterAsync(writerAgain, ct);
        await UntilAsync(restarted.Time, () => Proposals(gmsAgain.Accepted).Any(p => p.EntityUrn == ProductUrn(after)), "the product registered after the restart", ct);

        Assert.DoesNotContain(Proposals(gmsAgain.Requests), p => p.EntityUrn == ProductUrn(before));
    }

    [Fact]
    public async Task Feed_GmsRefusesOneProduct_SkipsItWithTheReasonAndDeliversTheOthers()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var gms = FakeReceiver.Start();
        var database = await server.NewDatabaseAsync(nameof(DataHubFeedTests));
        await using var registry = await StartAsync(gms, database);
        using var writer = registry.Writer("content");
        string? poisoned = null;
        gms.Answer = request => poisoned is not null && request.Body.Contains(ProductUrn(poisoned), StringComparison.Ordinal) ? (400, null) : (200, null);
        var feed = registry.Service<DataHubFeed>();
        await UntilAsync(registry.Time, () => feed.Leading, "the feed running", ct);

        poisoned = await Samples.RegisterAsync(writer, ct);
        var healthy = await Samples.RegisterAsync(writer, ct);

        await UntilAsync(registry.Time, () => Proposals(gms.Accepted).Any(p => p.EntityUrn == ProductUrn(healthy)), "the product after the refused one", ct);
        Assert.DoesNotContain(Proposals(gms.Accepted), p => p.EntityUrn == ProductUrn(poisoned));
        Assert.True(feed.Refused >= 1);
        Assert.Contains("400", feed.LastFailure);
        Assert.Contains(poisoned, feed.LastFailure);
    }

    [Fact]
    public async Task Feed_TwoRegistriesOnOneDatabase_OnlyOneRunsTheFeed()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var gms = FakeReceiver.Start();
        var database = await server.NewDatabaseAsync(nameof(DataHubFeedTests));
        await using var one = await StartAsync(gms, database);
        await using var two = await StartAsync(gms, database);
        var feeds = new[] { one.Service<DataHubFeed>(), two.Service<DataHubFeed>() };

        await UntilAsync(one.Time, () => feeds.Any(f => f.Leading), "one feed holding the lock", ct);
        for (var i = 0; i < 10; i++)
        {
            one.Time.Advance(TimeSpan.FromSeconds(1));
            two.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20, ct);
        }

        Assert.Single(feeds, f => f.Leading);
    }

    [Fact]
    public void Urns_EscapeTheCharactersThatWouldBreakATupleUrn()
    {
        Assert.Equal("urn:li:dataset:(urn:li:dataPlatform:duckdb,a%2Cb%28c%29%25,PROD)", DataHubUrns.Dataset("duckdb", "a,b(c)%"));
        Assert.Equal("content.sales_by_genre.orders", DataHubUrns.DatasetName("content.sales-by-genre", "content", "orders"));
        Assert.Equal("urn:li:dataset:(urn:li:dataPlatform:iceberg,content.x.y,PROD)",
            DataHubUrns.OutputDataset("content.x", "content", MeshInABox.Domain.Products.OutputKind.Lakehouse, "y"));
    }

    private Task<RegistryHost> StartAsync(FakeReceiver gms, string database, FixedLineage? lineage = null) => StartAsync(gms.Port, database, lineage);

    private async Task<RegistryHost> StartAsync(int port, string database, FixedLineage? lineage = null)
    {
        var settings = Settings("DataHub");
        settings["ConnectionStrings:datahub"] = $"http://127.0.0.1:{port}";
        settings["ConnectionStrings:meshdb"] = database;
        settings["Registry:DataHub:Token"] = "feed-token";
        return await RegistryHost.StartAsync(server, GetType(), settings,
            services: lineage is null ? null : s => s.Replace(ServiceDescriptor.Singleton<IOutputLineageReader>(lineage)));
    }

    private static async Task<long> StoredPositionAsync(string database, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(database);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT position FROM registry.feed_positions WHERE feed = 'datahub'", cancellationToken: ct)) ?? 0;
    }

    private static async Task<long> LastOutboxPositionAsync(string database, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(database);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT max(position) FROM registry.outbox", cancellationToken: ct));
    }

    /// <summary>Design-time lineage the test decides, in place of the product lineage store.</summary>
    private sealed class FixedLineage : IOutputLineageReader
    {
        public System.Collections.Concurrent.ConcurrentDictionary<string, IReadOnlyList<OutputLineage>> For { get; } = new();

        public Task<IReadOnlyList<OutputLineage>> CurrentOutputsAsync(string productId, CancellationToken ct) =>
            Task.FromResult(For.GetValueOrDefault(productId) ?? []);
    }
}
