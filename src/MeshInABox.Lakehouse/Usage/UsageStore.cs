using System.Security.Claims;
using Dapper;
using MeshInABox.Domain.Access;
using Npgsql;

namespace MeshInABox.Lakehouse.Usage;

/// <summary>
/// Whose usage a caller may see: its own queries; every read of the products of the domains it acts for (the
/// write scope and the domain in its token, as the registry requires of an owner); everything with
/// <see cref="MeshAccess.AnyDomain"/>. Anonymous callers see nothing.
/// </summary>
public sealed record UsageViewer(string? Subject, bool Everything, IReadOnlyList<string> Domains)
{
    public static UsageViewer Of(ClaimsPrincipal user)
    {
        var owned = MeshAccess.OwnedDomains(user);
        return new(
            user.Identity?.IsAuthenticated == true ? user.Identity.Name : null,
            owned.Contains(MeshAccess.AnyDomain),
            [.. owned.Where(d => d != MeshAccess.AnyDomain)]);
    }
}

/// <summary>What <c>GET /usage/queries</c> asks for; <paramref name="Subject"/> only for those who see everything.</summary>
public sealed record QueryFilter(DateTimeOffset Since, string? Subject, string? Outcome, int Limit);

/// <summary>Usage figures read back from the records, as far as the viewer may see them: per product, per consumer of one product, per query.</summary>
public sealed class UsageStore(NpgsqlDataSource dataSource)
{
    /// <summary>A read of <paramref name="product"/> by query <c>q</c> is visible to whoever ran it, to the product's domain and to the platform.</summary>
    private static string VisibleRead(string product) => $"(@everything OR q.subject = @subject OR split_part({product}, '.', 1) = ANY(@domains))";

    public async Task<IReadOnlyList<ProductUsage>> ProductsAsync(UsageViewer viewer, DateTimeOffset since, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<ProductUsage>(new CommandDefinition(
            $"""
            SELECT r.product_id, count(DISTINCT q.id) AS queries, count(DISTINCT coalesce(q.subject, '')) AS consumers, max(q.started_at) AS last_read_at
            FROM product_reads r JOIN queries q ON q.id = r.query_id
            WHERE q.started_at >= @since AND {VisibleRead("r.product_id")}
            GROUP BY r.product_id ORDER BY queries DESC, r.product_id
            """, Parameters(viewer, new { since }), cancellationToken: ct));
        return [.. rows];
    }

    public async Task<ProductConsumers> ProductAsync(string productId, UsageViewer viewer, DateTimeOffset since, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var consumers = await connection.QueryAsync<ConsumerRow>(new CommandDefinition(
            $"""
            -- Queries counted once each: a query reading several outputs or snapshots of the product has several reads.
            WITH reads AS (SELECT DISTINCT query_id, output FROM product_reads WHERE product_id = @productId),
                 read_queries AS (SELECT q.* FROM queries q
                                  WHERE q.started_at >= @since AND q.id IN (SELECT query_id FROM reads) AND {VisibleRead("@productId")})
            SELECT coalesce(q.subject, 'anonymous') AS subject, count(*) AS queries,
                   count(*) FILTER (WHERE q.outcome IN ('completed', 'truncated')) AS completed,
                   sum(q.row_count)::bigint AS rows_returned, max(q.started_at) AS last_read_at,
                   (SELECT string_agg(DISTINCT r.output, ',' ORDER BY r.output)
                    FROM reads r JOIN read_queries o ON o.id = r.query_id
                    WHERE o.subject IS NOT DISTINCT FROM q.subject) AS outputs
            FROM read_queries q
            GROUP BY q.subject ORDER BY queries DESC, subject
            """, Parameters(viewer, new { productId, since }), cancellationToken: ct));
        var list = consumers.Select(c => new ConsumerUsage(c.Subject, c.Queries, c.Completed, c.RowsReturned, c.LastReadAt, c.Outputs.Split(','))).ToList();
        return new ProductConsumers(productId, list.Sum(c => c.Queries), list.Count == 0 ? null : list.Max(c => c.LastReadAt), list);
    }

    /// <summary>Query records, newest first: the viewer's own, or anyone's for a viewer who sees everything.</summary>
    public async Task<IReadOnlyList<QueryRecord>> QueriesAsync(UsageViewer viewer, QueryFilter filter, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var queries = (await connection.QueryAsync<QueryRow>(new CommandDefinition(
            """
            SELECT id, coalesce(subject, 'anonymous') AS subject, started_at, duration_ms, row_count, outcome, status_code, reason, sql
            FROM queries
            WHERE started_at >= @Since AND (@everything OR subject = @subject)
              AND (@Filtered::text IS NULL OR coalesce(subject, 'anonymous') = @Filtered) AND (@Outcome::text IS NULL OR outcome = @Outcome)
            ORDER BY started_at DESC, id DESC
            LIMIT @Limit
            """, Parameters(viewer, new { filter.Since, Filtered = filter.Subject, filter.Outcome, filter.Limit }), cancellationToken: ct))).ToList();
        var reads = (await connection.QueryAsync<ReadRow>(new CommandDefinition(
            "SELECT query_id, product_id, output, snapshot FROM product_reads WHERE query_id = ANY(@ids) ORDER BY product_id, output, snapshot",
            new { ids = queries.Select(q => q.Id).ToArray() }, cancellationToken: ct))).ToLookup(r => r.QueryId);
        return [.. queries.Select(q => new QueryRecord(
            q.Id, q.Subject, q.StartedAt, q.DurationMs, q.RowCount, q.Outcome, q.StatusCode, q.Reason, q.Sql,
            [.. reads[q.Id].Select(r => new ProductRead(r.ProductId, r.Output, r.Snapshot))]))];
    }

    private static DynamicParameters Parameters(UsageViewer viewer, object values)
    {
        var parameters = new DynamicParameters(values);
        parameters.Add("everything", viewer.Everything);
        parameters.Add("subject", viewer.Subject, System.Data.DbType.String);
        parameters.Add("domains", viewer.Domains.ToArray());
        return parameters;
    }

    private sealed record ConsumerRow(string Subject, long Queries, long Completed, long RowsReturned, DateTime LastReadAt, string Outputs);

    private sealed record QueryRow(Guid Id, string Subject, DateTime StartedAt, int DurationMs, long RowCount, string Outcome, int? StatusCode, string? Reason, string? Sql);

    private sealed record ReadRow(Guid QueryId, string ProductId, string Output, long? Snapshot);
}

/// <summary>How much one product is read: queries, distinct consumers (anonymous counts as one), the last read.</summary>
public sealed record ProductUsage(string ProductId, long Queries, long Consumers, DateTime LastReadAt);

/// <summary>One consumer of a product: how often, how much, which outputs, and when last.</summary>
public sealed record ConsumerUsage(string Subject, long Queries, long Completed, long RowsReturned, DateTime LastReadAt, string[] Outputs);

public sealed record ProductConsumers(string ProductId, long Queries, DateTime? LastReadAt, IReadOnlyList<ConsumerUsage> Consumers);

/// <summary>One query as recorded: who, when, how long, how it ended (outcome, HTTP status, reason), its SQL and what it read.</summary>
public sealed record QueryRecord(
    Guid Id, string Subject, DateTime StartedAt, int DurationMs, long Rows, string Outcome, int? StatusCode, string? Reason, string? Sql,
    IReadOnlyList<ProductRead> Products);
