namespace MeshInABox.Postgres.LocalCluster;

/// <summary>
/// Temporary directories PostgreSQL's service account can pass through (a new
/// temporary directory is owner-only, which locks that account out when we run as root).
/// </summary>
public static class ReachableTempDirectory
{
    public static string Create(string prefix)
    {
        var path = Directory.CreateTempSubdirectory(prefix).FullName;
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path,
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        return path;
    }
}
