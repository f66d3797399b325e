using System.Text.Json;
using MeshInABox.Domain.Contracts;
using MeshInABox.Registry.Locations;
using MeshInABox.Registry.Products;
using MeshInABox.Registry.Publishing;
using MeshInABox.Domain.Products;
using MeshInABox.Lakehouse.Engine.Tables;
using MeshInABox.Registry.Infrastructure;
using MeshInABox.Storage.Lakehouse;
using MeshInABox.Storage.Postgres;
using MeshInABox.Storage.Provisioning;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MeshInABox.Registry.Storage;

/// <summary>What provisioning decided about a version: each output's steps, the locator's entries, or why it is rejected.</summary>
public sealed record StorageVerdict(IReadOnlyList<ProvisioningRecord> Records, IReadOnlyList<EndpointLocation> Endpoints, IReadOnlyList<RejectionReason> Reasons)
{
    public static StorageVerdict None { get; } = new([], [], []);
}

/// <summary>
/// Provisions the outputs of a version that declare a storage template: every declaration is checked first, so a
/// version that cannot be provisioned (an unknown parameter, Kafka without a broker) is rejected before anything is
/// created; then each output is reconciled in turn, its steps reported as they finish. A run cut short (the
/// registry killed) leaves the version to be taken again, and the next run converges: every step is idempotent.
/// The locator's entries come only from here, checked by the same rules as any location.
/// </summary>
/// Below iteration-2 the plane is off: declarations are kept on the version but nothing is provisioned.
public sealed class StoragePlane(IEnumerable<IStorageTemplate> templates, LocationRules locations, IOptions<RegistryOptions> options, IServiceProvider services)
{
    public bool Enabled => options.Value.Storage.Enabled;

    private readonly Dictionary<string, IStorageTemplate> _templates = templates.ToDictionary(t => t.Name, StringComparer.Ordinal);

    /// <summary>Templates this registry provisions with (postgres, lakehouse, csv; kafka when a broker is configured or not: it says why).</summary>
    public IReadOnlyCollection<string> Templates => _templates.Keys;

    /// <param name="progress">Called with the records so far after each output, so the version's status shows them while it runs.</param>
    public async Task<StorageVerdict> ProvisionAsync(
        RegisteredProduct product, IReadOnlyList<RegisteredOutput> outputs, DataContract contract,
        Func<IReadOnlyList<ProvisioningRecord>, Task> progress, CancellationToken ct)
    {
        var declared = outputs.Where(o => o.Storage is not null).ToList();
        if (declared.Count == 0 || !Enabled)
        {
            return StorageVerdict.None;
        }

        var reasons = new List<RejectionReason>();
        var planned = new List<(RegisteredOutput Output, IStorageTemplate Template, StorageTarget Target)>();
        foreach (var output in declared)
        {
            var storage = output.Storage!;
            if (!_templates.TryGetValue(storage.Template, out var template))
            {
                reasons.Add(new RejectionReason("storage", "storage-template-unavailable",
                    $"Output '{output.Name}' declares the '{storage.Template}' template, which this mesh does not provision (it provisions {string.Join(", ", _templates.Keys.Order())}).",
                    "Use a template this mesh offers, or start the mesh at a profile with the storage plane (iteration-2 and later)."));
                continue;
            }

            foreach (var refusal in template.Check(new StorageSpec(storage.Template, storage.Parameters)))
            {
                reasons.Add(new RejectionReason("storage", "storage-parameter-invalid", $"Output '{output.Name}' ({storage.Template}): {refusal}",
                    "Fix the output's storage parameters (docs/storage.md lists each template's)."));
            }

            planned.Add((output, template, new StorageTarget(product.Id, product.Owner, output.Name, new StorageSpec(storage.Template, storage.Parameters), contract)));
        }

        if (reasons.Count > 0)
        {
            return new StorageVerdict([], [], reasons);
        }

        var records = new List<ProvisioningRecord>();
        var endpoints = new List<EndpointLocation>();
        foreach (var (output, template, target) in planned)
        {
            var report = await ReconcileAsync(template, target, ct);
            if (!report.Failed && template.Name == OutputStorage.Postgres && services.GetService(typeof(PostgresReaders)) is PostgresReaders readers)
            {
                // Who reads it without a request follows the product's classification.
                report = report with { Steps = [.. report.Steps, await readers.SyncAsync(product.Id, product.Classification == Classification.Open, ct)] };
                if (output.Source is { } source && report.Location?.GetValueOrDefault("table") is string table
                    && services.GetService(typeof(PostgresSeed)) is PostgresSeed seed)
                {
                    var loaded = await seed.LoadAsync(product.Id, table, source, ct);
                    report = report with { Steps = [.. report.Steps, loaded], Location = loaded.Outcome == StepOutcome.Failed ? null : report.Location };
                }
            }

            records.Add(new ProvisioningRecord(output.Name, template.Name, report.Changes, report.Failed,
                [.. report.Steps.Select(s => new ProvisioningStep(s.Step, s.Outcome.ToString().ToLowerInvariant(), s.Detail))]));
            await progress(records);
            if (report.Failed || report.Location is null)
            {
                var failed = report.Steps.FirstOrDefault(s => s.Outcome == StepOutcome.Failed);
                reasons.Add(new RejectionReason("storage", "provisioning-failed",
                    $"Output '{output.Name}' ({template.Name}): step '{failed?.Step ?? "location"}' failed: {failed?.Detail ?? "no location was reported"}",
                    "Fix the cause and publish again: provisioning picks up where it stopped."));
                return new StorageVerdict(records, [], reasons);
            }

            var errors = new List<(string Property, string Message)>();
            var location = locations.Endpoint(product.Id, output.Name, EnumNames.Of(output.Kind), JsonSerializer.SerializeToElement(report.Location), errors);
            if (location is null)
            {
                reasons.Add(new RejectionReason("location", "location-owned",
                    $"Output '{output.Name}': the provisioned location breaks the locator's rules: {string.Join("; ", errors.Select(e => $"{e.Property}: {e.Message}"))}"));
                return new StorageVerdict(records, [], reasons);
            }

            location["provisioned"] = true;
            endpoints.Add(new EndpointLocation(output.Name, output.Kind, location));
        }

        return new StorageVerdict(records, endpoints, []);
    }

    /// <summary>
    /// Retiring a product's storage (the runbook): each provisioned output is archived into
    /// <c>&lt;archive&gt;/&lt;product&gt;/&lt;output&gt;</c> (a dump for PostgreSQL, a frozen snapshot for a lakehouse table),
    /// then taken out of service (the schema and roles dropped; the table's folder removed), each step reported.
    /// Nothing is removed before its archive is whole; a failed step stops, to be run again.
    /// </summary>
    /// <param name="requestIds">The product's requests whose PostgreSQL access roles may still exist.</param>
    public async Task<IReadOnlyList<ProvisioningRecord>> RetireAsync(
        RegisteredProduct product, IReadOnlyList<EndpointStore.RecordedEndpoint> endpoints, IReadOnlyList<long> requestIds, CancellationToken ct)
    {
        var provisioned = endpoints.Where(e => e.Provisioned).ToList();
        if (!Enabled || provisioned.Count == 0)
        {
            return [];
        }

        if (string.IsNullOrWhiteSpace(options.Value.Storage.ArchiveDirectory))
        {
            return [new ProvisioningRecord("*", "archive", 0, true, [new ProvisioningStep("archive", "failed", "no archive directory is configured (Registry:Storage:ArchiveDirectory)")])];
        }

        var records = new List<ProvisioningRecord>();
        var postgresDone = false;
        foreach (var endpoint in provisioned)
        {
            var archive = Path.Combine(options.Value.Storage.ArchiveDirectory, product.Id, endpoint.Output);
            IReadOnlyList<StepResult> steps = endpoint.Kind switch
            {
                // One schema holds every PostgreSQL output of the product: it is archived and dropped once.
                OutputKind.Postgres when postgresDone => [new StepResult("archive", StepOutcome.Unchanged, "archived with the product's schema")],
                OutputKind.Postgres when services.GetService(typeof(PostgresArchive)) is PostgresArchive postgres =>
                    await postgres.RetireAsync(product.Id, requestIds, archive, ct),
                OutputKind.Lakehouse when _templates.GetValueOrDefault(OutputStorage.Lakehouse) is LakehouseStorage lake =>
                    await RetireTableAsync(lake, LakeTableName.Parse($"{product.Id}.{endpoint.Output}"), archive, ct),
                _ => [new StepResult("archive", StepOutcome.Unchanged, $"a {EnumNames.Of(endpoint.Kind)} output keeps its data where it is")],
            };
            postgresDone |= endpoint.Kind == OutputKind.Postgres;
            var failed = steps.Any(s => s.Outcome == StepOutcome.Failed);
            records.Add(new ProvisioningRecord(endpoint.Output, EnumNames.Of(endpoint.Kind), steps.Count(s => s.Outcome == StepOutcome.Changed), failed,
                [.. steps.Select(s => new ProvisioningStep(s.Step, s.Outcome.ToString().ToLowerInvariant(), s.Detail))]));
            if (failed)
            {
                break;
            }
        }

        return records;
    }

    /// <summary>A lakehouse table's current snapshot copied (and verified) into the archive, then its folder taken out of the lake.</summary>
    private static async Task<IReadOnlyList<StepResult>> RetireTableAsync(LakehouseStorage lake, LakeTableName table, string archive, CancellationToken ct)
    {
        try
        {
            var manifest = await lake.ArchiveAsync(table, archive, ct);
            var directory = table.DirectoryIn(lake.LakeRoot);
            var removed = Directory.Exists(directory);
            if (removed)
            {
                Directory.Delete(directory, recursive: true);
            }

            return [
                new StepResult("archive", StepOutcome.Changed, $"snapshot {manifest.SnapshotId} archived, {manifest.Files.Count} files, in {archive}"),
                new StepResult("remove", removed ? StepOutcome.Changed : StepOutcome.Unchanged, $"{table} taken out of the lake")];
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidOperationException or Iceberg.IcebergFormatException)
        {
            return [new StepResult("archive", StepOutcome.Failed, error.Message)];
        }
    }

    /// <summary>
    /// A template that throws has failed its run: the version says why instead of the worker retrying blindly. A
    /// passing database fault is the worker's to retry (the version is taken again, and provisioning converges).
    /// </summary>
    private static async Task<ProvisioningReport> ReconcileAsync(IStorageTemplate template, StorageTarget target, CancellationToken ct)
    {
        try
        {
            return await template.ReconcileAsync(target, ct);
        }
        catch (Exception error) when (error is not (OperationCanceledException or NpgsqlException { IsTransient: true }))
        {
            return new ProvisioningReport(target.Output, template.Name, [new StepResult("reconcile", StepOutcome.Failed, $"{error.GetType().Name}: {error.Message}")], null);
        }
    }
}
