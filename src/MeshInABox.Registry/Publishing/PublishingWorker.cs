using MeshInABox.Registry.Infrastructure;
using MeshInABox.Postgres.Migrations;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MeshInABox.Registry.Publishing;

/// <summary>
/// Validates accepted versions in the background. A version is leased while it
/// is validated; if this process dies, the lease runs out and any worker takes
/// the version again, so nothing is lost.
/// </summary>
public sealed partial class PublishingWorker(
    VersionStore versions,
    ProductStore products,
    PublishingSignal signal,
    MigrationState migrations,
    IOptions<RegistryOptions> options,
    TimeProvider time,
    ILogger<PublishingWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await migrations.WhenAppliedAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await ProcessNextAsync(stoppingToken))
                {
                    continue;
                }
            }
            catch (Exception error) when (error is NpgsqlException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                // The database is away (starting, or its schema not migrated yet): try again shortly.
                LogUnavailable(logger, error.Message);
            }

            await signal.WaitAsync(options.Value.WorkerPollInterval, stoppingToken);
        }
    }

    /// <returns>Whether a version was processed (so there may be more).</returns>
    public async Task<bool> ProcessNextAsync(CancellationToken ct)
    {
        var claimed = await versions.ClaimNextAsync(time.GetUtcNow(), options.Value.ValidationLease, ct);
        if (claimed is null)
        {
            return false;
        }

        var product = await products.GetAsync(claimed.ProductId, ct);
        var previous = await versions.PreviousActiveAsync(claimed.ProductId, claimed.Id, ct);
        var verdict = VersionValidator.Decide(product!, claimed, previous?.Contract);
        if (await versions.CompleteAsync(claimed, verdict, time.GetUtcNow(), ct))
        {
            LogDecided(logger, claimed.ProductId, claimed.Version, verdict.Active ? "active" : "rejected");
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Version {ProductId}@{Version} is {Status}")]
    private static partial void LogDecided(ILogger logger, string productId, string version, string status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing worker cannot reach the database: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string reason);
}
