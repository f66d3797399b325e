using System.Text.Json;
using Dapper;
using MeshInABox.Registry.Infrastructure;
using MeshInABox.Registry.Products;
using Npgsql;

namespace MeshInABox.Registry.Access;

/// <summary>
/// Access requests and their audit. Every change of a request writes its audit line in the same transaction, and
/// changes only from the status it was read in (a compare-and-set), so two deciders racing never both win.
/// </summary>
public sealed class AccessRequestStore(NpgsqlDataSource dataSource)
{
    private const string Columns =
        "id, product_id, requester, purpose, level, status, decided_by, decided_at, decision_note, steps::text AS steps, requested_at, updated_at";

    /// <returns>The new request, or the live one the requester already has on the product (<c>Created</c> false).</returns>
    public async Task<(AccessRequest Request, bool Created)> CreateAsync(
        string productId, string requester, string purpose, AccessLevel level, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"""
            INSERT INTO access_requests (product_id, requester, purpose, level, status, requested_at, updated_at)
            VALUES (@productId, @requester, @purpose, @level, 'pending', @now, @now)
            ON CONFLICT (product_id, requester) WHERE status IN ('pending', 'approved', 'granted', 'failed') DO NOTHING
            RETURNING {Columns}
            """,
            new { productId, requester, purpose, level = EnumNames.Of(level), now }, transaction, cancellationToken: ct));
        if (row is null)
        {
            await transaction.RollbackAsync(ct);
            var live = await LiveAsync(productId, requester, ct);
            // The live one was revoked between the insert and this read: ask again.
            return live is null ? await CreateAsync(productId, requester, purpose, level, now, ct) : (live, false);
        }

        await AuditAsync(transaction, row.Id, productId, requester, "requested", new { purpose, level = EnumNames.Of(level) }, now, ct);
        await transaction.CommitAsync(ct);
        return (row.ToRequest(), true);
    }

    public async Task<AccessRequest?> GetAsync(long id, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM access_requests WHERE id = @id", new { id }, cancellationToken: ct));
        return row?.ToRequest();
    }

    public async Task<AccessRequest?> LiveAsync(string productId, string requester, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM access_requests WHERE product_id = @productId AND requester = @requester AND status IN ('pending', 'approved', 'granted', 'failed')",
            new { productId, requester }, cancellationToken: ct));
        return row?.ToRequest();
    }

    /// <summary>Requests of one requester (their access), newest first.</summary>
    public Task<IReadOnlyList<AccessRequest>> ByRequesterAsync(string requester, int limit, CancellationToken ct) =>
        ListAsync("requester = @requester", new { requester, limit }, ct);

    /// <summary>A product's requests, newest first.</summary>
    public Task<IReadOnlyList<AccessRequest>> ByProductAsync(string productId, int limit, CancellationToken ct) =>
        ListAsync("product_id = @productId", new { productId, limit }, ct);

    /// <summary>Requests waiting for a decision on products of the given domains (<c>*</c>: every domain).</summary>
    public Task<IReadOnlyList<AccessRequest>> PendingInDomainsAsync(IReadOnlyList<string> domains, int limit, CancellationToken ct) =>
        ListAsync(
            "status = 'pending' AND product_id IN (SELECT id FROM data_products WHERE '*' = ANY(@domains) OR domain = ANY(@domains))",
            new { domains = domains.ToArray(), limit }, ct);

    /// <summary>Requests that stand on a product (for retirement, which revokes them all).</summary>
    public Task<IReadOnlyList<AccessRequest>> LiveOnProductAsync(string productId, CancellationToken ct) =>
        ListAsync("product_id = @productId AND status IN ('pending', 'approved', 'granted', 'failed')", new { productId, limit = 10_000 }, ct);

    /// <summary>
    /// Moves a request from <paramref name="from"/> to <paramref name="to"/>, with its audit line; false when it is no
    /// longer in a status of <paramref name="from"/> (somebody else decided first).
    /// </summary>
    public async Task<AccessRequest?> TransitionAsync(
        long id, IReadOnlyList<AccessStatus> from, AccessStatus to, string actor, string action, object detail, DateTimeOffset now, CancellationToken ct,
        IReadOnlyList<AccessStep>? steps = null, string? decisionNote = null, bool decides = false)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"""
            UPDATE access_requests SET
                status = @to, updated_at = @now,
                steps = CASE WHEN @steps::jsonb IS NULL THEN steps ELSE steps || @steps::jsonb END,
                decided_by = CASE WHEN @decides THEN @actor ELSE decided_by END,
                decided_at = CASE WHEN @decides THEN @now ELSE decided_at END,
                decision_note = CASE WHEN @decides THEN @decisionNote ELSE decision_note END
            WHERE id = @id AND status = ANY(@from)
            RETURNING {Columns}
            """,
            new
            {
                id, to = EnumNames.Of(to), from = from.Select(EnumNames.Of).ToArray(), now, actor, decides, decisionNote,
                steps = steps is null ? null : StoreJson.Serialize(steps),
            },
            transaction, cancellationToken: ct));
        if (row is null)
        {
            return null;
        }

        await AuditAsync(transaction, id, row.ProductId, actor, action, detail, now, ct);
        await transaction.CommitAsync(ct);
        return row.ToRequest();
    }

    /// <summary>An audit line without a change of status (a first-level approval that waits for the second).</summary>
    public async Task AuditAsync(long id, string productId, string actor, string action, object detail, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await AuditAsync(transaction, id, productId, actor, action, detail, now, ct);
        await transaction.CommitAsync(ct);
    }

    public async Task<IReadOnlyList<AccessAuditEntry>> AuditOfAsync(long id, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<AuditRow>(new CommandDefinition(
            "SELECT id, request_id, product_id, actor, action, detail::text AS detail, at FROM access_audit WHERE request_id = @id ORDER BY id",
            new { id }, cancellationToken: ct));
        return [.. rows.Select(r => new AccessAuditEntry(r.Id, r.RequestId, r.ProductId, r.Actor, r.Action, JsonDocument.Parse(r.Detail).RootElement.Clone(), Time.Utc(r.At)))];
    }

    private static Task AuditAsync(NpgsqlTransaction transaction, long id, string productId, string actor, string action, object detail, DateTimeOffset now, CancellationToken ct) =>
        transaction.Connection!.ExecuteAsync(new CommandDefinition(
            "INSERT INTO access_audit (request_id, product_id, actor, action, detail, at) VALUES (@id, @productId, @actor, @action, @detail::jsonb, @now)",
            new { id, productId, actor, action, detail = StoreJson.Serialize(detail), now }, transaction, cancellationToken: ct));

    private async Task<IReadOnlyList<AccessRequest>> ListAsync(string where, object parameters, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM access_requests WHERE {where} ORDER BY id DESC LIMIT @limit", parameters, cancellationToken: ct));
        return [.. rows.Select(r => r.ToRequest())];
    }

    private sealed record Row(
        long Id, string ProductId, string Requester, string Purpose, string Level, string Status, string? DecidedBy, DateTime? DecidedAt,
        string? DecisionNote, string Steps, DateTime RequestedAt, DateTime UpdatedAt)
    {
        public AccessRequest ToRequest() => new(
            Id, ProductId, Requester, Purpose, StoreJson.Enum<AccessLevel>(Level), StoreJson.Enum<AccessStatus>(Status), DecidedBy,
            DecidedAt is { } decided ? Time.Utc(decided) : null, DecisionNote, StoreJson.List<AccessStep>(Steps), Time.Utc(RequestedAt), Time.Utc(UpdatedAt));
    }

    private sealed record AuditRow(long Id, long RequestId, string ProductId, string Actor, string Action, string Detail, DateTime At);
}
