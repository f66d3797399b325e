using MeshInABox.Domain.Contracts;

namespace MeshInABox.Storage.Provisioning;

/// <summary>
/// What a product's output declares it needs: a template (<c>postgres</c>, <c>lakehouse</c>, <c>csv</c>,
/// <c>kafka</c>) and the template's parameters (schema, partitions, retention, topic partitions...).
/// </summary>
public sealed record StorageSpec(string Template, IReadOnlyDictionary<string, string> Parameters)
{
    public string? Parameter(string name) => Parameters.GetValueOrDefault(name);
}

/// <summary>One output to provision: whose it is, what it declares, and the contract its tables come from.</summary>
/// <param name="OwnerTeam">The producing team (the manifest's owner), whose role owns what is created.</param>
public sealed record StorageTarget(string ProductId, string OwnerTeam, string Output, StorageSpec Spec, DataContract Contract)
{
    public string Domain => ProductId[..ProductId.IndexOf('.')];
}

public enum StepOutcome
{
    /// <summary>Already as declared: nothing was done.</summary>
    Unchanged,

    /// <summary>Created or altered to match what is declared.</summary>
    Changed,

    /// <summary>Could not be done; the reason says why. Later steps did not run.</summary>
    Failed,
}

/// <summary>The result of one provisioning step, shown on the version's status.</summary>
/// <param name="Step">A stable name (<c>schema</c>, <c>table:orders</c>, <c>role:restricted</c>...).</param>
public sealed record StepResult(string Step, StepOutcome Outcome, string Detail);

/// <summary>What one reconcile did, and where the data now is (the locator's entry: never a secret).</summary>
/// <param name="Location">The endpoint's location object (kind-specific: host, port, database, schema, table; topic; path...); null when a step failed.</param>
public sealed record ProvisioningReport(string Output, string Kind, IReadOnlyList<StepResult> Steps, IReadOnlyDictionary<string, object?>? Location)
{
    public bool Failed => Steps.Any(s => s.Outcome == StepOutcome.Failed);

    public int Changes => Steps.Count(s => s.Outcome == StepOutcome.Changed);
}

/// <summary>
/// A storage template: reconciles what an output declares with what exists. Running it again changes nothing
/// (every step reports <see cref="StepOutcome.Unchanged"/>); a run stopped at any point converges on the next.
/// </summary>
public interface IStorageTemplate
{
    /// <summary>The template's name as manifests write it.</summary>
    string Name { get; }

    /// <summary>Declared parameters this template refuses (unknown names, bad values), as "parameter: reason"; empty when valid.</summary>
    IReadOnlyList<string> Check(StorageSpec spec);

    /// <summary>
    /// The same check with what only the target knows (its product, its contract): a parameter naming another
    /// product's schema or an object the contract lacks. By default, the spec's own check.
    /// </summary>
    IReadOnlyList<string> Check(StorageTarget target) => Check(target.Spec);

    Task<ProvisioningReport> ReconcileAsync(StorageTarget target, CancellationToken ct);
}
