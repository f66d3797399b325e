using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using MeshInABox.Domain.Products;
using MeshInABox.Postgres.Migrations;
using MeshInABox.Registry.Infrastructure;
using MeshInABox.Registry.ProductLineage;
using MeshInABox.Registry.Products;
using MeshInABox.Registry.Publishing;
using Npgsql;

namespace MeshInABox.Registry.DataHub;

/// <summary>A run of outbox events about one product; delivered as the product's current state, saved at its last event.</summary>
public sealed record ProductChange(string ProductId, long LastPosition);

/// <summary>
/// Follows the outbox and upserts, for each product an event touches, the product's current state into DataHub
/// (a dataProduct and a dataset per output) over GMS's Rest.li API. Each delivery re-reads the stores, so it sends
/// full aspects as they are now: idempotent, and a late retry never sends stale state.
/// </summary>
public sealed partial class DataHubFeed(
    NpgsqlDataSource dataSource,
    FeedPositions positions,
    MigrationState migrations,
    Outbox outbox,
    ProductStore products,
    VersionStore versions,
    IOutputLineageReader lineage,
    DataHubGms gms,
    DataHubFeedOptions options,
    TimeProvider time,
    ILogger<DataHubFeed> logger) : PositionFeed<ProductChange>(dataSource, positions, migrations, options, time, logger)
{
    public const string FeedName = "datahub";

    private static readonly HashSet<string> Relevant =
    [
        Outbox.Events.ProductRegistered, Outbox.Events.ProductDeprecated, Outbox.Events.ProductRetired,
        Outbox.Events.VersionPublished, Outbox.Events.EndpointUpdated,
    ];

    public override string Feed => FeedName;

    protected override async Task<IReadOnlyList<ProductChange>> ReadAsync(long after, int limit, CancellationToken ct)
    {
        var events = await outbox.ReadAsync(after, limit, ct) ?? [];
        var changes = new List<ProductChange>();
        long skippedTo = 0;
        foreach (var item in events)
        {
            if (!Relevant.Contains(item.Type))
            {
                skippedTo = item.Position;
                continue;
            }

            // Consecutive events of one product are one delivery: its state now covers them all.
            if (changes.Count > 0 && changes[^1].ProductId == item.ProductId && skippedTo < changes[^1].LastPosition)
            {
                changes[^1] = changes[^1] with { LastPosition = item.Position };
            }
            else
            {
                changes.Add(new ProductChange(item.ProductId, item.Position));
            }
        }

        // A tail of events the feed does not map still moves the position, as a change of no product.
        if (events.Count > 0 && (changes.Count == 0 || changes[^1].LastPosition < events[^1].Position))
        {
            changes.Add(new ProductChange("", events[^1].Position));
        }

        return changes;
    }

    protected override long PositionOf(ProductChange unit) => unit.LastPosition;

    protected override async Task<Delivery> DeliverAsync(ProductChange unit, CancellationToken ct)
    {
        if (unit.ProductId.Length == 0 || await products.GetAsync(unit.ProductId, ct) is not { } product)
        {
            return Delivery.Ok;
        }

        var proposals = await ProposalsForAsync(product, ct);
        foreach (var chunk in proposals.Chunk(options.MaxProposalsPerRequest))
        {
            var outcome = await gms.IngestAsync(chunk, ct);
            if (outcome is not Delivery.Accepted)
            {
                return outcome is Delivery.Refused refused ? new Delivery.Refused($"{product.Id}: {refused.Reason}") : outcome;
            }
        }

        LogDelivered(Logger, product.Id, proposals.Count);
        return Delivery.Ok;
    }

    private async Task<IReadOnlyList<Proposal>> ProposalsForAsync(RegisteredProduct product, CancellationToken ct)
    {
        var all = await versions.ListAsync(product.Id, ct);
        var current = all.Where(v => v.Status == VersionStatus.Active).MaxBy(v => v.Id);
        var outputs = current is { Outputs.Count: > 0 } ? current.Outputs : product.Outputs;
        var removed = all.Where(v => v.Status == VersionStatus.Active && v != current)
            .SelectMany(v => v.Outputs)
            .Where(o => outputs.All(c => c.Name != o.Name))
            .DistinctBy(o => (o.Name, o.Kind))
            .ToList();
        var outputLineage = current is null ? [] : await lineage.CurrentOutputsAsync(product.Id, ct);

        // Upstream products' domains and output kinds name their datasets; look each up once.
        var upstream = new Dictionary<string, RegisteredProduct?>(StringComparer.Ordinal);
        foreach (var id in outputLineage.SelectMany(l => l.Sources).Concat(outputLineage.SelectMany(l => l.Columns.Select(c => c.Source)))
                     .Select(s => s.ProductId).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            upstream[id] = id == product.Id ? product : await products.GetAsync(id, ct);
        }

        return DataHubProposals.For(product, current, outputs, removed, outputLineage, table => UpstreamUrn(table, upstream));
    }

    /// <summary>
    /// A product's output is its dataset; a file is platform file by its path; any other table outside the mesh is
    /// named as the lakehouse's DuckDB reads it (platform duckdb).
    /// </summary>
    private static string UpstreamUrn(UpstreamTable table, IReadOnlyDictionary<string, RegisteredProduct?> upstream)
    {
        if (table.ProductId is { } id && upstream.GetValueOrDefault(id) is { } source)
        {
            var output = source.Outputs.FirstOrDefault(o => o.Name == table.Output) ?? source.Outputs.FirstOrDefault();
            return DataHubUrns.OutputDataset(source.Id, source.Domain, output?.Kind ?? OutputKind.Csv, table.Output ?? output?.Name ?? table.Table);
        }

        return table.Table.StartsWith("file:", StringComparison.Ordinal)
            ? DataHubUrns.Dataset("file", table.Table["file:".Length..])
            : DataHubUrns.Dataset("duckdb", table.Table);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "DataHub: {ProductId} upserted ({Proposals} aspects)")]
    private static partial void LogDelivered(ILogger logger, string productId, int proposals);
}

/// <summary>GMS's Rest.li ingestion endpoint.</summary>
public sealed class DataHubGms(HttpClient client, DataHubFeedOptions options, TimeProvider time)
{
    /// <summary>
    /// One request for many proposals: the batch action <c>ingestProposalBatch</c> with <c>{"proposals":[...]}</c>, read in
    /// datahub-project/datahub metadata-service/restli-servlet-impl/.../entity/AspectResource.java
    /// (ACTION_INGEST_PROPOSAL_BATCH, PARAM_PROPOSALS); it validates the whole batch before writing any of it.
    /// </summary>
    public Task<Delivery> IngestAsync(IReadOnlyList<Proposal> proposals, CancellationToken ct)
    {
        var body = new JsonObject { ["proposals"] = new JsonArray([.. proposals.Select(p => (JsonNode)p.ToJson())]) }.ToJsonString();
        return Delivery.SendAsync(client, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "aspects?action=ingestProposalBatch")
            {
                Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Add("X-RestLi-Protocol-Version", "2.0.0");
            if (!string.IsNullOrWhiteSpace(options.Token))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Token);
            }

            return request;
        }, time, ct);
    }
}
