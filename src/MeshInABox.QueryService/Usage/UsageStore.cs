using Dapper;
using Npgsql;

namespace MeshInABox.QueryService.Usage;

/// <summary>Usage figures read back from the records: per product, and per consumer of one product.</summary>
public sealed class UsageStore(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<ProductUsage>> ProductsAsync(DateTimeOffset since, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<ProductUsage>(new CommandDefinition(
            """
            SELECT r.product_id, count(DISTINCT q.id) AS queries, count(DISTINCT coalesce(q.subject, '')) AS consumers, max(q.started_at) AS last_read_at
            FROM product_reads r JOIN queries q ON q.id = r.query_id
            WHERE q.started_at >= @since
            GROUP BY r.product_id ORDER BY queries DESC, r.product_id
            """, new { since }, cancellationToken: ct));
        return [.. rows];
    }

    public async Task<ProductConsumers> ProductAsync(string productId, DateTimeOffset since, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var consumers = await connection.QueryAsync<ConsumerRow>(new CommandDefinition(
            """
            -- Queries counted once each: a query reading several outputs or snapshots of the product has several reads.
            WITH reads AS (SELECT DISTINCT query_id, output FROM product_reads WHERE product_id = @productId),
                 read_queries AS (SELECT * FROM queries WHERE started_at >= @since AND id IN (SELECT query_id FROM reads))
            SELECT coalesce(q.subject, 'anonymous') AS subject, count(*) AS queries,
                   count(*) FILTER (WHERE q.outcome IN ('completed', 'truncated')) AS completed,
                   sum(q.row_count)::bigint AS rows_returned, max(q.started_at) AS last_read_at,
                   (SELECT string_agg(DISTINCT r.output, ',' ORDER BY r.output)
                    FROM reads r JOIN read_queries o ON o.id = r.query_id
                    WHERE o.subject IS NOT DISTINCT FROM q.subject) AS outputs
            FROM read_queries q
            GROUP BY q.subject ORDER BY queries DESC, subject
            """, new { productId, since }, cancellationToken: ct));
        var list = consumers.Select(c => new ConsumerUsage(c.Subject, c.Queries, c.Completed, c.RowsReturned, c.LastReadAt, c.Outputs.Split(','))).ToList();
        return new ProductConsumers(productId, list.Sum(c => c.Queries), list.Count == 0 ? null : list.Max(c => c.LastReadAt), list);
    }

    private sealed record ConsumerRow(string Subject, long Queries, long Completed, long RowsReturned, DateTime LastReadAt, string Outputs);
}

/// <summary>How much one product is read: queries, distinct consumers (anonymous counts as one), the last read.</summary>
public sealed record ProductUsage(string ProductId, long Queries, long Consumers, DateTime LastReadAt);

/// <summary>One consumer of a product: how often, how much, which outputs, and when last.</summary>
public sealed record ConsumerUsage(string Subject, long Queries, long Completed, long RowsReturned, DateTime LastReadAt, string[] Outputs);

public sealed record ProductConsumers(string ProductId, long Queries, DateTime? LastReadAt, IReadOnlyList<ConsumerUsage> Consumers);
