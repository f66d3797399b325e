using System.Globalization;
using System.Threading.Channels;
using Dapper;
using MeshInABox.Postgres.Migrations;
using Npgsql;

namespace MeshInABox.Lakehouse.Usage;

/// <summary>
/// Writes usage records in the background, in batches, so a query never waits
/// on PostgreSQL for its bookkeeping. Records queue in memory (bounded) while
/// the database is away and are written when it is back; past the bound they
/// are dropped and counted, never the queries.
/// </summary>
public sealed partial class UsageRecorder(NpgsqlDataSource dataSource, MigrationState migrations, ILogger<UsageRecorder> logger) : BackgroundService
{
    private const int Capacity = 50_000;

    /// <summary>
    /// Refusals cost their caller nothing, so a flood of them must not crowd out the records of queries that ran:
    /// they are queued only while fewer than this many records wait.
    /// </summary>
    internal const int RefusalRoom = 10_000;

    /// <summary>A refused query's SQL is kept up to this length, which bounds what a flood of long refusals holds in memory.</summary>
    internal const int MaxRefusedSqlLength = 4_000;

    private const int BatchSize = 500;
    private readonly Channel<QueryUsage> _pending = Channel.CreateBounded<QueryUsage>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private long _dropped;

    /// <summary>Records waiting to be written.</summary>
    internal int Pending => _pending.Reader.Count;

    /// <summary>Queues a record; never blocks and never throws: the query's answer does not depend on its bookkeeping.</summary>
    public void Record(QueryUsage usage)
    {
        if (usage.Outcome.IsRefusal())
        {
            if (_pending.Reader.Count >= RefusalRoom)
            {
                LogRefusalDropped(logger, RefusalRoom, Interlocked.Increment(ref _dropped));
                return;
            }

            usage = usage with { Sql = Clip(usage.Sql) };
        }

        if (!_pending.Writer.TryWrite(usage))
        {
            LogDropped(logger, Interlocked.Increment(ref _dropped));
        }
    }

    internal static string? Clip(string? sql)
    {
        if (sql is null || sql.Length <= MaxRefusedSqlLength)
        {
            return sql;
        }

        // Never half a surrogate pair: PostgreSQL takes only valid UTF-8.
        var cut = char.IsHighSurrogate(sql[MaxRefusedSqlLength - 1]) ? MaxRefusedSqlLength - 1 : MaxRefusedSqlLength;
        return string.Create(CultureInfo.InvariantCulture, $"{sql[..cut]}… ({sql.Length:N0} characters in all)");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await migrations.WhenAppliedAsync(stoppingToken);
        var batch = new List<QueryUsage>(BatchSize);
        try
        {
            // A batch that failed is tried again even when nothing new arrives.
            while (batch.Count > 0 || await _pending.Reader.WaitToReadAsync(stoppingToken))
            {
                Fill(batch);
                try
                {
                    await WriteBatchAsync(batch, stoppingToken);
                }
                catch (NpgsqlException error) when (!stoppingToken.IsCancellationRequested)
                {
                    // Kept in the batch and tried again: records are not lost to a database restart.
                    LogRetrying(logger, batch.Count, error.Message);
                    await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
                }
            }
        }
        catch (Exception error) when (error is OperationCanceledException or NpgsqlException && stoppingToken.IsCancellationRequested)
        {
            // Stopping: the last queries' records are written before the service goes, within a few seconds.
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                while (batch.Count > 0 || _pending.Reader.Count > 0)
                {
                    Fill(batch);
                    await WriteBatchAsync(batch, grace.Token);
                }
            }
            catch (Exception failure) when (failure is NpgsqlException or OperationCanceledException)
            {
                LogDropped(logger, Interlocked.Add(ref _dropped, batch.Count + _pending.Reader.Count));
            }
        }
    }

    private void Fill(List<QueryUsage> batch)
    {
        while (batch.Count < BatchSize && _pending.Reader.TryRead(out var usage))
        {
            batch.Add(usage);
        }
    }

    /// <summary>
    /// Writes the batch and empties it. A record PostgreSQL will never take (a data or constraint error) would
    /// otherwise hold the batch, and every record after it, for ever: the batch is then written one by one
    /// and only such records are dropped.
    /// </summary>
    private async Task WriteBatchAsync(List<QueryUsage> batch, CancellationToken ct)
    {
        try
        {
            await WriteAsync(batch, ct);
            batch.Clear();
        }
        catch (PostgresException error) when (IsUnwritable(error) && batch.Count > 1)
        {
            while (batch.Count > 0)
            {
                try
                {
                    await WriteAsync([batch[0]], ct);
                }
                catch (PostgresException refused) when (IsUnwritable(refused))
                {
                    LogUnwritable(logger, batch[0].Id, refused.Message);
                    Interlocked.Increment(ref _dropped);
                }

                batch.RemoveAt(0);
            }
        }
        catch (PostgresException error) when (IsUnwritable(error))
        {
            LogUnwritable(logger, batch[0].Id, error.Message);
            Interlocked.Increment(ref _dropped);
            batch.Clear();
        }
    }

    // SQLSTATE class 22 (data exception) and 23 (integrity constraint violation): the record, not the database.
    private static bool IsUnwritable(PostgresException error) => error.SqlState.StartsWith("22", StringComparison.Ordinal) || error.SqlState.StartsWith("23", StringComparison.Ordinal);

    private async Task WriteAsync(IReadOnlyList<QueryUsage> batch, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO queries (id, subject, started_at, duration_ms, row_count, outcome, status_code, reason, sql)
            VALUES (@Id, @Subject, @StartedAt, @DurationMs, @Rows, @Outcome, @StatusCode, @Reason, @Sql)
            ON CONFLICT (id) DO NOTHING
            """,
            batch.Select(u => new
            {
                u.Id,
                u.Subject,
                u.StartedAt,
                DurationMs = (int)Math.Min(int.MaxValue, u.Duration.TotalMilliseconds),
                u.Rows,
                Outcome = u.Outcome.Name(),
                u.StatusCode,
                u.Reason,
                u.Sql,
            }),
            transaction, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO product_reads (query_id, product_id, output, snapshot) VALUES (@QueryId, @ProductId, @Output, @Snapshot)
            ON CONFLICT DO NOTHING
            """,
            batch.SelectMany(u => u.Products.Select(p => new { QueryId = u.Id, p.ProductId, p.Output, p.Snapshot })),
            transaction, cancellationToken: ct));
        await transaction.CommitAsync(ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Usage records queue full: {Dropped} records dropped so far")]
    private static partial void LogDropped(ILogger logger, long dropped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A refused query's usage record dropped: {Room} records already wait; {Dropped} records dropped so far")]
    private static partial void LogRefusalDropped(ILogger logger, int room, long dropped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Count} usage records failed ({Reason}); retrying")]
    private static partial void LogRetrying(ILogger logger, int count, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Usage record {Id} dropped: PostgreSQL will not take it ({Reason})")]
    private static partial void LogUnwritable(ILogger logger, Guid id, string reason);
}
