namespace MeshInABox.ServiceDefaults.Locations;

/// <summary>
/// The file-system side of the trust boundary: a path a domain team names is resolved to what it really is
/// (absolute, '..' removed, every symbolic link followed) and must then lie inside that product's own folder
/// of a mesh repository. Checked where a location is recorded and again where it is read.
/// </summary>
public static class ProductFolders
{
    private const int MaxLinks = 40;

    /// <summary>The canonical path of <paramref name="path"/> when it lies in the product's folder, else null with the reason.</summary>
    public static string? Resolve(string path, string domain, string slug, IReadOnlyList<string> roots, out string? reason)
    {
        if (string.IsNullOrWhiteSpace(path) || path.Contains('\0', StringComparison.Ordinal) || !Path.IsPathFullyQualified(path))
        {
            reason = "A file location must be an absolute path.";
            return null;
        }

        if (roots.Count == 0)
        {
            reason = "This mesh accepts no file locations: it was started without a mesh repository (Locations:RepositoryRoots).";
            return null;
        }

        string real;
        try
        {
            real = RealPath(path);
        }
        catch (IOException error)
        {
            reason = $"The path cannot be resolved: {error.Message}";
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            reason = "The path cannot be resolved: a folder on the way is not readable.";
            return null;
        }

        foreach (var root in roots)
        {
            var folder = Path.Join(RealPath(Path.GetFullPath(root)), domain, slug);
            if (IsInside(real, folder))
            {
                reason = null;
                return real;
            }
        }

        reason = $"A file location must lie in the product's own folder of a mesh repository (<repository>/{domain}/{slug}/), " +
            $"after resolving links; the repositories are {string.Join(", ", roots)}.";
        return null;
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="folder"/>'s descendant (both canonical).</summary>
    public static bool IsInside(string path, string folder)
    {
        var prefix = Path.TrimEndingDirectorySeparator(folder) + Path.DirectorySeparatorChar;
        return path.StartsWith(prefix, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }

    /// <summary>
    /// What <c>realpath(3)</c> returns, for a path whose tail may not exist yet: each existing component's
    /// links are followed (a link's target may be relative to its folder); the missing tail is appended as written.
    /// </summary>
    public static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full)!;
        var parts = new Queue<string>(full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries));
        var current = root;
        var links = 0;
        while (parts.TryDequeue(out var part))
        {
            var next = Path.Join(current, part);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.Exists && info.LinkTarget is { } target)
            {
                if (++links > MaxLinks)
                {
                    throw new IOException($"more than {MaxLinks} symbolic links on the way (a loop?).");
                }

                // Re-walk the link's target, then what was left of the path.
                var resolved = Path.GetFullPath(target, current);
                var rest = parts.ToArray();
                parts = new Queue<string>(resolved[Path.GetPathRoot(resolved)!.Length..]
                    .Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Concat(rest));
                current = Path.GetPathRoot(resolved)!;
                continue;
            }

            current = next;
        }

        return current;
    }
}
