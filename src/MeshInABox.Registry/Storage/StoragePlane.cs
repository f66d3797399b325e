using System.Text.Json;
using MeshInABox.Domain.Contracts;
using MeshInABox.Registry.Locations;
using MeshInABox.Registry.Products;
using MeshInABox.Registry.Publishing;
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
public sealed class StoragePlane(IEnumerable<IStorageTemplate> templates, LocationRules locations, IOptions<RegistryOptions> options)
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
