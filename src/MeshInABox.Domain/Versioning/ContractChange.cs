namespace MeshInABox.Domain.Versioning;

/// <summary>How much a change requires the version to move (SemVer).</summary>
public enum ChangeClass
{
    Patch = 0,
    Minor = 1,
    Major = 2,
}

/// <summary>One difference between two versions of a contract, and the path it concerns.</summary>
public sealed record ContractChange(ChangeClass Class, string Path, string Description)
{
    public override string ToString() => $"{Class.ToString().ToUpperInvariant()} {Path}: {Description}";
}
