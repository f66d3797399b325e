using Dapper;
using MeshInABox.Postgres.Migrations;
using Npgsql;

namespace MeshInABox.Registry.DataHub;

/// <summary>
/// Follows a position-ordered table and delivers its rows, in order, to a receiver: reads after the stored position,
/// delivers one unit at a time, retries a transient failure with exponential backoff and jitter (honouring
/// Retry-After) without moving, skips a refused unit with its reason, and saves the position only once the receiver
/// has answered for good. A restart resumes after the stored position.
/// </summary>
/// <remarks>
/// One instance per feed runs across registries: the feed holds a session advisory lock on a connection of its own
/// for as long as it runs (a crashed holder's lock goes with its connection), and the others wait for it.
/// </remarks>
public abstract partial class PositionFeed<TUnit>(
    NpgsqlDataSource dataSource,
    FeedPositions positions,
    MigrationState migrations,
    FeedOptions options,
    TimeProvider time,
    ILogger logger) : BackgroundService
{
    private long _position;
    private long _delivered;
    private long _refused;
    private int _failures;
    private long _pending;
    private string? _lastFailure;

    protected TimeProvider Clock => time;

    protected ILogger Logger => logger;

    /// <summary>The key of this feed in feed_positions, and of its advisory lock.</summary>
    public abstract string Feed { get; }

    /// <summary>The last position delivered (or skipped) and saved.</summary>
    public long Position => Interlocked.Read(ref _position);

    public long Delivered => Interlocked.Read(ref _delivered);

    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Failed attempts in a row on the unit in flight (0 while deliveries succeed).</summary>
    public int ConsecutiveFailures => Volatile.Read(ref _failures);

    /// <summary>Units read but not yet delivered: how far behind the feed is within its last read.</summary>
    public long Pending => Interlocked.Read(ref _pending);

    public string? LastFailure => Volatile.Read(ref _lastFailure);

    /// <summary>True while this instance holds the feed's lock.</summary>
    public bool Leading { get; private set; }

    /// <summary>Units after <paramref name="after"/>, in order.</summary>
    protected abstract Task<IReadOnlyList<TUnit>> ReadAsync(long after, int limit, CancellationToken ct);

    protected abstract long PositionOf(TUnit unit);

    protected abstract Task<Delivery> DeliverAsync(TUnit unit, CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await migrations.WhenAppliedAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var lockConnection = await dataSource.OpenConnectionAsync(stoppingToken);
                if (!await lockConnection.ExecuteScalarAsync<bool>(new CommandDefinition(
                        "SELECT pg_try_advisory_lock(hashtextextended('meshinabox.feed.' || @feed, 0))", new { feed = Feed }, cancellationToken: stoppingToken)))
                {
                    await Task.Delay(options.PollInterval * 5, time, stoppingToken);
                    continue;
                }

                Leading = true;
                LogLeading(logger, Feed);
                await FollowAsync(stoppingToken);
            }
            catch (NpgsqlException error) when (!stoppingToken.IsCancellationRequested)
            {
                Leading = false;
                LogDatabaseFailed(logger, Feed, error.Message);
                await Task.Delay(options.MinBackoff, time, stoppingToken);
            }
        }
    }

    private async Task FollowAsync(CancellationToken ct)
    {
        var position = await positions.GetAsync(Feed, ct);
        Interlocked.Exchange(ref _position, position);
        while (!ct.IsCancellationRequested)
        {
            var units = await ReadAsync(position, options.ReadBatch, ct);
            if (units.Count == 0)
            {
                Interlocked.Exchange(ref _pending, 0);
                await Task.Delay(options.PollInterval, time, ct);
                continue;
            }

            for (var i = 0; i < units.Count; i++)
            {
                Interlocked.Exchange(ref _pending, units.Count - i);
                await DeliverWithRetryAsync(units[i], ct);
                position = PositionOf(units[i]);
                await positions.SaveAsync(Feed, position, time.GetUtcNow(), ct);
                Interlocked.Exchange(ref _position, position);
            }

            Interlocked.Exchange(ref _pending, 0);
        }
    }

    private async Task DeliverWithRetryAsync(TUnit unit, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            switch (await TryDeliverAsync(unit, ct))
            {
                case Delivery.Accepted:
                    Volatile.Write(ref _failures, 0);
                    Interlocked.Increment(ref _delivered);
                    return;
                case Delivery.Refused refused:
                    Volatile.Write(ref _failures, 0);
                    Interlocked.Increment(ref _refused);
                    Volatile.Write(ref _lastFailure, refused.Reason);
                    LogRefused(logger, Feed, PositionOf(unit), refused.Reason);
                    return;
                case Delivery.Transient transient:
                    Interlocked.Increment(ref _failures);
                    Volatile.Write(ref _lastFailure, transient.Reason);
                    var wait = transient.RetryAfter is { } after ? Clamp(after) : Backoff(attempt);
                    LogRetrying(logger, Feed, PositionOf(unit), attempt + 1, wait, transient.Reason);
                    await Task.Delay(wait, time, ct);
                    break;
            }
        }
    }

    /// <summary>
    /// A unit the mapping cannot handle (an unreadable stored contract, a bug) is refused, not retried for ever and
    /// not allowed to stop the host; a database failure goes up, and the feed starts over from its stored position.
    /// </summary>
    private async Task<Delivery> TryDeliverAsync(TUnit unit, CancellationToken ct)
    {
        try
        {
            return await DeliverAsync(unit, ct);
        }
        catch (Exception error) when (error is not (NpgsqlException or OperationCanceledException))
        {
            return new Delivery.Refused($"{error.GetType().Name}: {error.Message}");
        }
    }

    /// <summary>Exponential, with "equal jitter": half the step fixed, half random, so many feeds do not retry in step.</summary>
    private TimeSpan Backoff(int attempt)
    {
        var step = Math.Min(options.MaxBackoff.TotalMilliseconds, options.MinBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30)));
        return TimeSpan.FromMilliseconds((step / 2) + (Random.Shared.NextDouble() * step / 2));
    }

    private TimeSpan Clamp(TimeSpan wait) => wait < TimeSpan.Zero ? TimeSpan.Zero : wait > options.MaxBackoff ? options.MaxBackoff : wait;

    [LoggerMessage(Level = LogLevel.Information, Message = "Feed {Feed}: this instance holds the feed's lock and delivers")]
    private static partial void LogLeading(ILogger logger, string feed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Feed {Feed}: the database failed, starting over: {Reason}")]
    private static partial void LogDatabaseFailed(ILogger logger, string feed, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Feed {Feed}: position {Position} refused, skipped: {Reason}")]
    private static partial void LogRefused(ILogger logger, string feed, long position, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Feed {Feed}: delivering position {Position} failed (attempt {Attempt}), retrying in {Wait}: {Reason}")]
    private static partial void LogRetrying(ILogger logger, string feed, long position, int attempt, TimeSpan wait, string reason);
}
