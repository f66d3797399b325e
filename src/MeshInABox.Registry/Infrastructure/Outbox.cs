using System.Text.Json;
using Dapper;
using Npgsql;

namespace MeshInABox.Registry.Infrastructure;

/// <summary>
/// The registry's events, written in the same transaction as the change they
/// describe, and read in commit order by position.
/// </summary>
public sealed class Outbox(NpgsqlDataSource dataSource)
{
    public static class Events
    {
        public const string ProductRegistered = "product.registered";
        public const string ProductDeprecated = "product.deprecated";
        public const string ProductRetired = "product.retired";
        public const string ProductArchived = "product.archived";
        public const string VersionAccepted = "version.accepted";
        public const string VersionPublished = "version.published";
        public const string VersionRejected = "version.rejected";
        public const string EndpointUpdated = "endpoint.updated";
        public const string GrantAdded = "grant.added";
        public const string GrantRevoked = "grant.revoked";
    }

    public static Task AppendAsync(
        NpgsqlTransaction transaction, string type, string productId, object payload, DateTimeOffset now, CancellationToken ct) =>
        transaction.Connection!.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO outbox (event_type, product_id, payload, created_at)
            VALUES (@type, @productId, @payload::jsonb, @now)
            """,
            new { type, productId, payload = StoreJson.Serialize(payload), now },
            transaction, cancellationToken: ct));

    /// <summary>
    /// Events after <paramref name="after"/> (0: from the start). Only events of
    /// transactions older than every running one are returned, so an event that
    /// commits late can never land behind a reader's cursor.
    /// </summary>
    /// <returns>The events, or null when <paramref name="after"/> is no event's position.</returns>
    public async Task<IReadOnlyList<RegistryEvent>?> ReadAsync(long after, int limit, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        if (after > 0 && !await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM outbox WHERE position = @after)", new { after }, cancellationToken: ct)))
        {
            return null;
        }

        var rows = await connection.QueryAsync<EventRow>(new CommandDefinition(
            """
            SELECT position, event_type, product_id, payload::text AS payload, created_at
            FROM outbox
            WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot())
              AND (@after = 0 OR (tx_id, position) > (SELECT tx_id, position FROM outbox WHERE position = @after))
            ORDER BY tx_id, position
            LIMIT @limit
            """,
            new { after, limit }, cancellationToken: ct));
        return [.. rows.Select(r => new RegistryEvent(
            r.Position, r.EventType, r.ProductId, JsonDocument.Parse(r.Payload).RootElement.Clone(), Time.Utc(r.CreatedAt)))];
    }

    public async Task<long> CursorAsync(string consumer, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT position FROM outbox_cursors WHERE consumer = @consumer", new { consumer }, cancellationToken: ct)) ?? 0;
    }

    public async Task SaveCursorAsync(string consumer, long position, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO outbox_cursors (consumer, position, updated_at) VALUES (@consumer, @position, @now)
            ON CONFLICT (consumer) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at
            """,
            new { consumer, position, now }, cancellationToken: ct));
    }

    /// <summary>A change to the registry, in commit order; relayed to Kafka as this record's JSON.</summary>
    public sealed record RegistryEvent(long Position, string Type, string ProductId, JsonElement Payload, DateTimeOffset CreatedAt);

    private sealed record EventRow(long Position, string EventType, string ProductId, string Payload, DateTime CreatedAt);
}
