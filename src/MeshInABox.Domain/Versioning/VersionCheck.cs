using MeshInABox.Domain.Contracts;
using Semver;

namespace MeshInABox.Domain.Versioning;

/// <summary>Whether a new contract version's number moved as far as its changes require.</summary>
public sealed record VersionCheck(
    SemVersion Before,
    SemVersion After,
    IReadOnlyList<ContractChange> Changes,
    ChangeClass? Required,
    ChangeClass? Released,
    bool Allowed,
    string Verdict)
{
    public static VersionCheck Of(DataContract before, DataContract after)
    {
        var from = before.Version ?? throw new ArgumentException("The earlier contract has no valid version.", nameof(before));
        var to = after.Version ?? throw new ArgumentException("The later contract has no valid version.", nameof(after));
        var changes = ContractDiff.Compare(before, after);
        ChangeClass? required = changes.Count == 0 ? null : changes.Max(c => c.Class);
        var released = BumpBetween(from, to);

        if (SemVersion.ComparePrecedence(to, from) <= 0)
        {
            return new(from, to, changes, required, released, false, $"{to} does not come after {from}: a new version must have a higher number.");
        }

        // Before 1.0.0 anything may change (SemVer §4), but a breaking change still needs at least a MINOR bump.
        var effectiveRequired = from.Major == 0 && required == ChangeClass.Major ? ChangeClass.Minor : required;
        var allowed = effectiveRequired is null || released >= effectiveRequired;
        var verdict = allowed
            ? $"{from} -> {to} is a {Name(released)} release, enough for {(required is null ? "no changes" : Name(required) + " changes")}."
            : $"{from} -> {to} is a {Name(released)} release, but the changes need a {Name(effectiveRequired)} release (e.g. {Suggest(from, effectiveRequired!.Value)}).";
        return new(from, to, changes, required, released, allowed, verdict);
    }

    private static ChangeClass? BumpBetween(SemVersion from, SemVersion to)
    {
        if (to.Major != from.Major)
        {
            return to.Major > from.Major ? ChangeClass.Major : null;
        }

        if (to.Minor != from.Minor)
        {
            return to.Minor > from.Minor ? ChangeClass.Minor : null;
        }

        return to.Patch >= from.Patch ? ChangeClass.Patch : null;
    }

    private static string Suggest(SemVersion from, ChangeClass needed) => needed switch
    {
        ChangeClass.Major => $"{from.Major + 1}.0.0",
        ChangeClass.Minor => $"{from.Major}.{from.Minor + 1}.0",
        _ => $"{from.Major}.{from.Minor}.{from.Patch + 1}",
    };

    private static string Name(ChangeClass? changeClass) => changeClass?.ToString().ToUpperInvariant() ?? "no";
}
