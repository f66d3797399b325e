using System.Net.Http.Headers;
using MeshInABox.Postgres.Migrations;
using MeshInABox.Registry.DataHub;
using MeshInABox.Registry.Infrastructure;
using Npgsql;

namespace MeshInABox.Registry.OpenLineage;

/// <summary>
/// Forwards lineage_events (events received, and the JobEvents the registry writes on publish) to an OpenLineage
/// endpoint, in order, one event per POST: Marquez takes one per request.
/// </summary>
public sealed class OpenLineageForwarder(
    NpgsqlDataSource dataSource,
    FeedPositions positions,
    MigrationState migrations,
    LineageStore store,
    HttpClient client,
    OpenLineageForwardOptions options,
    TimeProvider time,
    ILogger<OpenLineageForwarder> logger) : PositionFeed<StoredLineageEvent>(dataSource, positions, migrations, options, time, logger)
{
    public const string FeedName = "openlineage";

    public override string Feed => FeedName;

    protected override async Task<IReadOnlyList<StoredLineageEvent>> ReadAsync(long after, int limit, CancellationToken ct) =>
        await store.ReadAsync(after, limit, ct) ?? [];

    protected override long PositionOf(StoredLineageEvent unit) => unit.Position;

    protected override Task<Delivery> DeliverAsync(StoredLineageEvent unit, CancellationToken ct)
    {
        var body = unit.Event.GetRawText();
        return Delivery.SendAsync(client, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, options.Url)
            {
                Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
            };
            if (!string.IsNullOrWhiteSpace(options.Token))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Token);
            }

            return request;
        }, Clock, ct);
    }
}
