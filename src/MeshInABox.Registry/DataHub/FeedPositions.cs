using Dapper;
using Npgsql;

namespace MeshInABox.Registry.DataHub;

/// <summary>The stored position of each outbound feed (table feed_positions).</summary>
public sealed class FeedPositions(NpgsqlDataSource dataSource)
{
    public async Task<long> GetAsync(string feed, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT position FROM feed_positions WHERE feed = @feed", new { feed }, cancellationToken: ct)) ?? 0;
    }

    public async Task SaveAsync(string feed, long position, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO feed_positions (feed, position, updated_at) VALUES (@feed, @position, @now)
            ON CONFLICT (feed) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at
            """,
            new { feed, position, now }, cancellationToken: ct));
    }
}
