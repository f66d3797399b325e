namespace MeshInABox.Domain.Streams;

/// <summary>
/// The files a document may reach: those under one folder, the platform's trust boundary
/// (a domain team reaches only its own files). Symbolic links are followed before the check,
/// so a link inside the folder cannot lead out of it.
/// </summary>
internal sealed class DocumentFolder
{
    private static readonly StringComparison PathComparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    private readonly string _realRoot;

    public DocumentFolder(string folder)
    {
        Root = WithSeparator(Path.GetFullPath(folder));
        _realRoot = WithSeparator(RealPath(Path.GetFullPath(folder)));
    }

    /// <summary>The folder, as given, ending with a separator.</summary>
    public string Root { get; }

    public bool Contains(string fullPath) =>
        fullPath.StartsWith(Root, PathComparison) || fullPath.StartsWith(_realRoot, PathComparison);

    /// <summary>The file's text, or why it cannot be had.</summary>
    public (string? Text, string? Refusal) Read(string fullPath)
    {
        if (!Contains(fullPath))
        {
            return (null, Outside);
        }

        if (!File.Exists(fullPath))
        {
            return (null, Directory.Exists(fullPath) ? "it is a folder, not a file" : "the file does not exist");
        }

        if (!RealPath(fullPath).StartsWith(_realRoot, PathComparison))
        {
            return (null, "it is a link to a file " + Outside);
        }

        try
        {
            return (File.ReadAllText(fullPath), null);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return (null, $"the file cannot be read ({error.Message})");
        }
    }

    public string Outside => $"outside the folder '{Root.TrimEnd(Path.DirectorySeparatorChar)}' that holds the document";

    /// <summary>The path with every symbolic link along it replaced by its final target.</summary>
    private static string RealPath(string fullPath)
    {
        var root = Path.GetPathRoot(fullPath) ?? "";
        var real = root;
        foreach (var part in fullPath[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            real = Path.Combine(real, part);
            FileSystemInfo info = Directory.Exists(real) ? new DirectoryInfo(real) : new FileInfo(real);
            if (info.Exists && info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target)
            {
                real = Path.GetFullPath(target.FullName);
            }
        }

        return real;
    }

    private static string WithSeparator(string path) =>
        path.EndsWith(Path.DirectorySeparatorChar) ? path : path + Path.DirectorySeparatorChar;
}
