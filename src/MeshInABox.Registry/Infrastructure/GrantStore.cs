using Dapper;
using Npgsql;

namespace MeshInABox.Registry.Infrastructure;

/// <summary>Read grants on restricted products; each change writes its event.</summary>
public sealed class GrantStore(NpgsqlDataSource dataSource)
{
    public async Task<ProductGrant> GrantAsync(string productId, string subject, string grantedBy, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var row = await connection.QuerySingleAsync<GrantRow>(new CommandDefinition(
            """
            INSERT INTO grants (product_id, subject, granted_by, granted_at) VALUES (@productId, @subject, @grantedBy, @now)
            ON CONFLICT (product_id, subject) DO UPDATE SET granted_by = grants.granted_by
            RETURNING product_id, subject, granted_by, granted_at
            """,
            new { productId, subject, grantedBy, now }, transaction, cancellationToken: ct));
        await Outbox.AppendAsync(transaction, Outbox.Events.GrantAdded, productId, new { subject, grantedBy }, now, ct);
        await transaction.CommitAsync(ct);
        return row.ToGrant();
    }

    /// <returns>False when there was no such grant.</returns>
    public async Task<bool> RevokeAsync(string productId, string subject, string revokedBy, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var deleted = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM grants WHERE product_id = @productId AND subject = @subject", new { productId, subject }, transaction, cancellationToken: ct));
        if (deleted > 0)
        {
            await Outbox.AppendAsync(transaction, Outbox.Events.GrantRevoked, productId, new { subject, revokedBy }, now, ct);
        }

        await transaction.CommitAsync(ct);
        return deleted > 0;
    }

    public async Task<ProductGrant?> GetAsync(string productId, string subject, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<GrantRow>(new CommandDefinition(
            "SELECT product_id, subject, granted_by, granted_at FROM grants WHERE product_id = @productId AND subject = @subject",
            new { productId, subject }, cancellationToken: ct));
        return row?.ToGrant();
    }

    public async Task<IReadOnlyList<ProductGrant>> ListAsync(string productId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<GrantRow>(new CommandDefinition(
            "SELECT product_id, subject, granted_by, granted_at FROM grants WHERE product_id = @productId ORDER BY subject",
            new { productId }, cancellationToken: ct));
        return [.. rows.Select(r => r.ToGrant())];
    }

    /// <summary>Who may read a restricted product, and who granted it when.</summary>
    public sealed record ProductGrant(string ProductId, string Subject, string GrantedBy, DateTimeOffset GrantedAt);

    private sealed record GrantRow(string ProductId, string Subject, string GrantedBy, DateTime GrantedAt)
    {
        public ProductGrant ToGrant() => new(ProductId, Subject, GrantedBy, Time.Utc(GrantedAt));
    }
}
