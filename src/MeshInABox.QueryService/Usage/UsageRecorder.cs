using System.Threading.Channels;
using Dapper;
using MeshInABox.Postgres.Migrations;
using Npgsql;

namespace MeshInABox.QueryService.Usage;

/// <summary>
/// Writes usage records in the background, in batches, so a query never waits
/// on PostgreSQL for its bookkeeping. Records queue in memory (bounded) while
/// the database is away and are written when it is back; past the bound they
/// are dropped and counted, never the queries.
/// </summary>
public sealed partial class UsageRecorder(NpgsqlDataSource dataSource, MigrationState migrations, ILogger<UsageRecorder> logger) : BackgroundService
{
    private const int Capacity = 50_000;
    private const int BatchSize = 500;
    private readonly Channel<QueryUsage> _pending = Channel.CreateBounded<QueryUsage>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private long _dropped;

    public void Record(QueryUsage usage)
    {
        if (!_pending.Writer.TryWrite(usage))
        {
            LogDropped(logger, Interlocked.Increment(ref _dropped));
        }
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
                    await WriteAsync(batch, stoppingToken);
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
                    await WriteAsync(batch, grace.Token);
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

    private async Task WriteAsync(List<QueryUsage> batch, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO queries (id, subject, started_at, duration_ms, row_count, outcome, sql)
            VALUES (@Id, @Subject, @StartedAt, @DurationMs, @Rows, @Outcome, @Sql)
            ON CONFLICT (id) DO NOTHING
            """,
            batch.Select(u => new
            {
                u.Id,
                u.Subject,
                u.StartedAt,
                DurationMs = (int)Math.Min(int.MaxValue, u.Duration.TotalMilliseconds),
                u.Rows,
                Outcome = u.Outcome.ToString().ToLowerInvariant(),
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
        batch.Clear();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Usage records queue full: {Dropped} records dropped so far")]
    private static partial void LogDropped(ILogger logger, long dropped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Count} usage records failed ({Reason}); retrying")]
    private static partial void LogRetrying(ILogger logger, int count, string reason);
}
