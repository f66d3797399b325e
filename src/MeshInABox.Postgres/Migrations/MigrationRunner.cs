using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MeshInABox.Postgres.Migrations;

/// <summary>
/// Runs the migrator at start. Waits out a database that is not up yet (the
/// Aspire host starts them together); a broken script is final and reported
/// through health instead of crashing the service.
/// </summary>
public sealed partial class MigrationRunner(
    SchemaMigrator migrator,
    MigrationState state,
    TimeProvider time,
    ILogger<MigrationRunner> logger) : BackgroundService
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var result = await migrator.MigrateAsync(stoppingToken);
                state.Applied(result.Version);
                return;
            }
            catch (MigrationException error)
            {
                LogFailed(logger, error.Message);
                state.Failed(error.Message);
                return;
            }
            catch (Exception error) when (error is NpgsqlException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                state.Waiting($"Starting: waiting for PostgreSQL to apply the migrations: {error.Message}");
                LogWaiting(logger, error.Message, delay);
                await Task.Delay(delay, time, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Migrations failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database not reachable ({Reason}); retrying in {Delay}")]
    private static partial void LogWaiting(ILogger logger, string reason, TimeSpan delay);
}
