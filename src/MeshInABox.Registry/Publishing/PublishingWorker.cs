using MeshInABox.Domain.Contracts;
using MeshInABox.Domain.Naming;
using MeshInABox.Domain.Versioning;
using MeshInABox.Postgres.Migrations;
using MeshInABox.Registry.Infrastructure;
using MeshInABox.Registry.Locations;
using MeshInABox.Registry.OpenLineage;
using MeshInABox.Registry.ProductLineage;
using MeshInABox.Registry.Products;
using MeshInABox.Registry.Storage;
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
    ProductLineageStore lineage,
    ProductLineageService lineageAnswers,
    StoragePlane storage,
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
                var documents = VersionDocuments.Read(claimed, previous);
                verdict = await WithLineageAsync(product, claimed, documents, VersionValidator.Decide(product, claimed, documents, locations), ct);
                verdict = await WithStorageAsync(product, claimed, documents, verdict, ct);
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
            if (verdict.Active)
            {
                await RebindDependentsAsync(claimed.ProductId, ct);
            }
        }

        return true;
    }

    /// <summary>
    /// A version that passed the policies gets its design-time lineage, bound against every product's current
    /// version: SQL that does not parse rejects it; a MAJOR one lists whom it would break.
    /// </summary>
    private async Task<Verdict> WithLineageAsync(RegisteredProduct product, PublishedVersion version, VersionDocuments documents, Verdict verdict, CancellationToken ct)
    {
        if (!verdict.Active)
        {
            return verdict;
        }

        var catalog = await lineage.CatalogAsync(ct);
        var design = DesignLineage.Analyze(product, version.Outputs, documents.Contract.Contract, catalog);
        if (design.Reasons.Count > 0)
        {
            return verdict with { Reasons = [.. verdict.Reasons, .. design.Reasons] };
        }

        var domains = catalog.Select(t => (t.ProductId, t.Domain)).Distinct().ToDictionary(t => t.ProductId, t => t.Domain);
        domains[product.Id] = product.Domain;
        return verdict with
        {
            Lineage = design,
            LineageEvents = DesignJobEvent.For(product, version.Version, version.Outputs, design, domains, time.GetUtcNow()),
            Impact = verdict.Changes.Any(c => c.Class == ChangeClass.Major) ? await lineageAnswers.ImpactAsync(product.Id, ct) ?? [] : [],
        };
    }

    /// <summary>
    /// A version that passed everything else gets its storage (from iteration-2): the locator's entries for its
    /// provisioned outputs come from the storage plane, and a failed step rejects it with the step's reason.
    /// </summary>
    private async Task<Verdict> WithStorageAsync(RegisteredProduct product, PublishedVersion version, VersionDocuments documents, Verdict verdict, CancellationToken ct)
    {
        if (!verdict.Active || !storage.Enabled)
        {
            return verdict;
        }

        var provisioned = await storage.ProvisionAsync(
            product, version.Outputs, documents.Contract.Contract, records => versions.RecordProvisioningAsync(version, records, time.GetUtcNow(), ct), ct);
        var replaced = provisioned.Endpoints.Select(e => e.Output).ToHashSet(StringComparer.Ordinal);
        return verdict with
        {
            Reasons = [.. verdict.Reasons, .. provisioned.Reasons],
            Endpoints = [.. verdict.Endpoints.Where(e => !replaced.Contains(e.Output)), .. provisioned.Endpoints],
            Provisioning = provisioned.Records,
        };
    }

    /// <summary>
    /// Binds again the SQL of products that read the one just published (its columns may have changed) or that named a
    /// table the catalog did not know (it may be this one), so no edge outlives the schema it was bound against.
    /// </summary>
    private async Task RebindDependentsAsync(string productId, CancellationToken ct)
    {
        var dependents = await lineage.DependentsAsync(productId, ct);
        if (dependents.Count == 0)
        {
            return;
        }

        var catalog = await lineage.CatalogAsync(ct);
        foreach (var dependent in dependents)
        {
            var product = await products.GetAsync(dependent.ProductId, ct);
            var version = await versions.GetByIdAsync(dependent.VersionId, ct);
            if (product is null || version is null)
            {
                continue;
            }

            var contract = ContractReader.Read(version.Contract, "contract.yaml").Contract;
            var design = DesignLineage.Analyze(product, version.Outputs, contract, catalog);
            await lineage.RebindAsync(dependent, design.Outputs, ct);
        }
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
