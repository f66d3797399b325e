namespace MeshInABox.Storage.Csv;

/// <summary>
/// A product's own folder of a mesh repository, <c>&lt;repository&gt;/&lt;domain&gt;/&lt;product&gt;/</c>, and the rule
/// that a file of the product lies inside it once every symbolic link is followed. The same rule as
/// <c>MeshInABox.ServiceDefaults.Locations.ProductFolders</c>, which the registry and the lakehouse check locations
/// with; restated here because that project is the web services' shared one (ASP.NET Core, authentication,
/// telemetry), which a storage library should not pull in. The tests check both agree.
/// </summary>
internal sealed class ProductFolder
{
    private const int MaxLinks = 40;

    public ProductFolder(string repositoryRoot, string domain, string product) =>
        Path = System.IO.Path.Join(RealPath(System.IO.Path.GetFullPath(repositoryRoot)), domain, product);

    /// <summary>The folder as the registry computes it: the repository's real path, then the product's names as written.</summary>
    public string Path { get; }

    /// <summary>The real path of <paramref name="relative"/> (checked relative, no '..'), or null with the reason when it leads outside.</summary>
    public string? Resolve(string relative, out string? reason)
    {
        string real;
        try
        {
            real = RealPath(System.IO.Path.GetFullPath(System.IO.Path.Join(Path, relative)));
        }
        catch (IOException error)
        {
            reason = $"the path cannot be resolved: {error.Message}";
            return null;
        }

        if (real.StartsWith(System.IO.Path.TrimEndingDirectorySeparator(Path) + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            reason = null;
            return real;
        }

        reason = $"'{relative}' leads outside the product's folder {Path} once links are followed (to {real}).";
        return null;
    }

    /// <summary>What <c>realpath(3)</c> returns, for a path whose tail may not exist yet (appended as written).</summary>
    private static string RealPath(string full)
    {
        var root = System.IO.Path.GetPathRoot(full)!;
        var parts = new Queue<string>(full[root.Length..].Split(System.IO.Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries));
        var current = root;
        var links = 0;
        while (parts.TryDequeue(out var part))
        {
            var next = System.IO.Path.Join(current, part);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.LinkTarget is { } target)
            {
                if (++links > MaxLinks)
                {
                    throw new IOException($"more than {MaxLinks} symbolic links on the way (a loop?).");
                }

                // Walk the link's target (relative to the link's folder), then the rest of the path.
                var resolved = System.IO.Path.GetFullPath(target, current);
                var resolvedRoot = System.IO.Path.GetPathRoot(resolved)!;
                parts = new Queue<string>(resolved[resolvedRoot.Length..].Split(System.IO.Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Concat(parts));
                current = resolvedRoot;
                continue;
            }

            current = next;
        }

        return current;
    }
}
