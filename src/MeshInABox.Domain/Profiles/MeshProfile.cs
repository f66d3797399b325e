namespace MeshInABox.Domain.Profiles;

/// <summary>
/// One stage of the platform's evolution. Both hosts (embedded and Aspire) read
/// the same profile, so a profile is data, defined only here.
/// </summary>
public sealed record MeshProfile(string Name, int Iteration, string Title, Plane Planes)
{
    public static readonly MeshProfile Iteration0 = new(
        "iteration-0", 0, "MVP: a mesh repo of CSV files and JSON registrations",
        Plane.DataProduct | Plane.Governance);

    public static readonly MeshProfile Iteration1 = new(
        "iteration-1", 1, "X-as-a-service: catalog and SQL lineage",
        Iteration0.Planes | Plane.Catalog | Plane.Lineage);

    public static readonly MeshProfile Iteration2 = new(
        "iteration-2", 2, "Platform architecture: storage templates, lakehouse, access roles",
        Iteration1.Planes | Plane.Storage | Plane.Lakehouse);

    public static readonly MeshProfile Iteration3 = new(
        "iteration-3", 3, "Producers: pipelines, pipeline lineage, health and freshness pings",
        Iteration2.Planes | Plane.Transformation);

    public static IReadOnlyList<MeshProfile> All { get; } = [Iteration0, Iteration1, Iteration2, Iteration3];

    public static MeshProfile Default => Iteration0;

    /// <summary>The most complete profile: what <c>mesh up</c> starts unless told otherwise.</summary>
    public static MeshProfile Latest => All[^1];

    public bool Has(Plane plane) => (Planes & plane) == plane;

    /// <summary>Finds a profile by name ("iteration-2") or number ("2").</summary>
    public static bool TryFind(string? nameOrNumber, out MeshProfile profile)
    {
        var match = All.FirstOrDefault(p =>
            string.Equals(p.Name, nameOrNumber, StringComparison.OrdinalIgnoreCase)
            || p.Iteration.ToString(System.Globalization.CultureInfo.InvariantCulture) == nameOrNumber);
        profile = match ?? Default;
        return match is not null;
    }

    public override string ToString() => Name;
}
