namespace MeshInABox.Domain.Contracts.Standard;

/// <summary>
/// A version of the Open Data Contract Standard, as its official JSON Schema defines it. Each flag names
/// what that version's schema added, so every rule that differs between versions says which one it follows.
/// </summary>
public sealed record OdcsVersion(string Name, int Patch, bool IsV31)
{
    public static readonly OdcsVersion V300 = new("v3.0.0", 0, false);
    public static readonly OdcsVersion V301 = new("v3.0.1", 1, false);
    public static readonly OdcsVersion V302 = new("v3.0.2", 2, false);
    public static readonly OdcsVersion V310 = new("v3.1.0", 0, true);

    public static readonly IReadOnlyList<OdcsVersion> All = [V300, V301, V302, V310];

    public static OdcsVersion Latest => V310;

    public static OdcsVersion? Find(string? name) => All.FirstOrDefault(v => v.Name == name);

    /// <summary>v3.0.1 added customProperties to roles and authoritativeDefinitions at the top and in the description.</summary>
    public bool HasContractDefinitions => IsV31 || Patch >= 1;

    /// <summary>v3.0.2 added a property's physicalName and fixed Athena's required stagingDir (v3.0.0/1 required 'staging_dir').</summary>
    public bool HasPropertyPhysicalName => IsV31 || Patch >= 2;

    /// <summary>
    /// v3.1.0 closed every object (an unknown field is an error: extensions go in customProperties),
    /// added stable ids, relationships, timestamp/time types, team as an object, and a quality rule's
    /// 'metric' with exactly one operator in place of v3.0's free-text 'rule'.
    /// </summary>
    public bool IsClosed => IsV31;

    public override string ToString() => Name;
}
