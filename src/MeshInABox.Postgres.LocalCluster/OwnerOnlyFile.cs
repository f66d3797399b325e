namespace MeshInABox.Postgres.LocalCluster;

/// <summary>Secrets on disk (the cluster's password): created readable by this user only, never briefly open to others.</summary>
public static class OwnerOnlyFile
{
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static async Task WriteAsync(string path, string contents, CancellationToken ct)
    {
        var options = new FileStreamOptions { Mode = System.IO.FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }

        await using (var stream = new FileStream(path, options))
        await using (var writer = new StreamWriter(stream))
        {
            await writer.WriteAsync(contents.AsMemory(), ct);
        }

        Restrict(path);
    }

    /// <summary>Takes group and other access away (an existing file keeps the mode it had when created).</summary>
    public static void Restrict(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, FileMode);
        }
    }
}
