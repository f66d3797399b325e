namespace MeshInABox.Registry.Storage;

/// <summary>What provisioning did for one output of a version, as the version's status shows it (never a secret).</summary>
/// <param name="Changes">Steps that created or altered something: 0 on a run that found everything as declared.</param>
public sealed record ProvisioningRecord(string Output, string Template, int Changes, bool Failed, IReadOnlyList<ProvisioningStep> Steps);

/// <param name="Outcome">unchanged, changed or failed.</param>
public sealed record ProvisioningStep(string Step, string Outcome, string Detail);
