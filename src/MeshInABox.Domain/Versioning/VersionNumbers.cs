using MeshInABox.Domain.Naming;
using Semver;

namespace MeshInABox.Domain.Versioning;

/// <summary>
/// The version numbers the mesh accepts: SemVer 2.0 (strict), at most <see cref="MeshNames.MaxVersionLength"/>
/// characters, MAJOR, MINOR and PATCH each at most <see cref="int.MaxValue"/> (they are stored and ordered as integers).
/// </summary>
public static class VersionNumbers
{
    /// <returns>The version, or null with the reason it is not one.</returns>
    public static SemVersion? Parse(string text, out string? reason)
    {
        if (text.Length > MeshNames.MaxVersionLength)
        {
            reason = $"{MeshNames.Quote(text)} is {text.Length} characters long; a version has at most {MeshNames.MaxVersionLength}.";
            return null;
        }

        if (!SemVersion.TryParse(text, SemVersionStyles.Strict, out var version))
        {
            reason = $"{MeshNames.Quote(text)} is not a semantic version (MAJOR.MINOR.PATCH, e.g. 1.2.0).";
            return null;
        }

        if (version.Major > int.MaxValue || version.Minor > int.MaxValue || version.Patch > int.MaxValue)
        {
            reason = $"{MeshNames.Quote(text)} has a part above {int.MaxValue}; MAJOR, MINOR and PATCH are at most {int.MaxValue} each.";
            return null;
        }

        reason = null;
        return version;
    }
}
