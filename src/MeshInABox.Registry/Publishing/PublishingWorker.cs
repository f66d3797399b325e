using MeshInABox.Domain.Naming;
using MeshInABox.Postgres.Migrations;
using MeshInABox.Registry.Infrastructure;
using MeshInABox.Registry.Locations;
using MeshInABox.Registry.Products;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MeshInABox.Registry.Publishing;

/// <summary>
/// Validates accepted versions in the background. A version is leased while it
/// is validated; if this process dies, the lease runs out and any worker takes
/// the version again, so nothing is lost. Every claim counts an attempt: a version
/// whose validation throws, or kills its worker, is rejected with the reason after
/// <see cref="RegistryOptions.MaxValidationAttempts"/>, and never stops the others.
/// </summary>
public sealed partial class PublishingWorker(
    VersionStore versions,
    ProductStore products,
    PublishingSignal signal,
    MigrationState migrations,
    LocationRules locations,
    IOptions<RegistryOptions> options,
    TimeProvider time,
    ILogger<PublishingWorker> logger) : BackgroundService
{
    private const int MaxErrorLength = 500;

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
            catch (Exception error) when (!stoppingToken.IsCancellationRequested)
            {
                // Nothing may stop the worker: an unhandled exception here would stop the whole host.
                LogFailed(logger, error);
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

        var maxAttempts = options.Value.MaxValidationAttempts;
        Verdict verdict;
        if (claimed.Attempts > maxAttempts)
        {
            // Earlier attempts threw or never finished (the worker died): stop trying, say why.
            verdict = new Verdict([new RejectionReason(
                "validation", "validation-failed",
                $"Validation failed {maxAttempts} times{(claimed.LastError is null ? " (it did not finish)" : $"; the last error: {claimed.LastError}")}.",
                "Check the contract and stream contract for unusual content, then publish a new version.")], [], []);
        }
        else
        {
            try
            {
                var product = await products.GetAsync(claimed.ProductId, ct)
                    ?? throw new InvalidOperationException($"The product {claimed.ProductId} of version {claimed.Version} is not registered.");
                var previous = await versions.PreviousActiveAsync(claimed.ProductId, claimed.Id, ct);
                verdict = VersionValidator.Decide(product, claimed, VersionDocuments.Read(claimed, previous), locations);
            }
            catch (Exception error) when (error is not (NpgsqlException or TimeoutException or OperationCanceledException))
            {
                LogAttemptFailed(logger, error, claimed.ProductId, claimed.Version, claimed.Attempts, maxAttempts);
                await versions.ReleaseAsync(claimed, Describe(error), time.GetUtcNow(), ct);
                return true;
            }
        }

        if (await versions.CompleteAsync(claimed, verdict, time.GetUtcNow(), ct))
        {
            LogDecided(logger, claimed.ProductId, claimed.Version, EnumNames.Of(verdict.Status));
        }

        return true;
    }

    /// <summary>What a producer may read of an error: its message, one line, bounded, printable (it is stored and shown).</summary>
    private static string Describe(Exception error)
    {
        var message = string.Concat($"{error.GetType().Name}: {error.Message}".Select(c => char.IsControl(c) ? ' ' : c));
        return MeshNames.Text(message, MaxErrorLength, "error") is null ? message : message[..MaxErrorLength] + "...";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Version {ProductId}@{Version} is {Status}")]
    private static partial void LogDecided(ILogger logger, string productId, string version, string status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing worker cannot reach the database: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Validating {ProductId}@{Version} failed (attempt {Attempt} of {MaxAttempts})")]
    private static partial void LogAttemptFailed(ILogger logger, Exception error, string productId, string version, int attempt, int maxAttempts);

    [LoggerMessage(Level = LogLevel.Error, Message = "Publishing worker step failed; it goes on with the next version")]
    private static partial void LogFailed(ILogger logger, Exception error);
}
