using System.Globalization;
using System.Text.RegularExpressions;

namespace MeshInABox.Postgres.LocalCluster;

/// <summary>A PostgreSQL server installation: the directory holding initdb, pg_ctl and postgres.</summary>
public sealed partial record PostgresBinaries(string BinDirectory, int MajorVersion)
{
    public const string OverrideVariable = "MESH_POSTGRES_BIN";

    private static readonly string[] RequiredTools = ["initdb", "pg_ctl", "postgres"];

    public string Tool(string name) => Path.Combine(BinDirectory, name);

    /// <summary>Where installations usually live: PATH, then the distributions' versioned folders.</summary>
    public static IEnumerable<string> DefaultSearchDirectories()
    {
        var overridden = Environment.GetEnvironmentVariable(OverrideVariable);
        if (!string.IsNullOrWhiteSpace(overridden))
        {
            return [overridden];
        }

        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var versioned = new[] { "/usr/lib/postgresql", "/usr/local/lib/postgresql" }
            .Where(Directory.Exists)
            .SelectMany(root => Directory.GetDirectories(root).Select(d => Path.Combine(d, "bin")));
        var rhel = Directory.Exists("/usr") ? Directory.GetDirectories("/usr", "pgsql-*").Select(d => Path.Combine(d, "bin")) : [];
        return path.Concat(versioned).Concat(rhel);
    }

    /// <summary>
    /// Finds an installation, preferring <paramref name="requiredMajor"/> when an
    /// existing cluster needs it, else the newest.
    /// </summary>
    public static PostgresBinaries Find(IEnumerable<string> searchDirectories, int? requiredMajor = null, string? dataDirectory = null)
    {
        var found = searchDirectories
            .Where(dir => RequiredTools.All(tool => File.Exists(Path.Combine(dir, tool))))
            .Select(dir => new PostgresBinaries(dir, ReadMajorVersion(dir)))
            .Where(b => b.MajorVersion > 0)
            .DistinctBy(b => b.MajorVersion)
            .OrderByDescending(b => b.MajorVersion)
            .ToList();

        if (found.Count == 0)
        {
            throw new LocalClusterException(
                "PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found on PATH or in /usr/lib/postgresql/*/bin. " +
                "Install them (Debian/Ubuntu: sudo apt-get install postgresql; Fedora: sudo dnf install postgresql-server), " +
                $"point {OverrideVariable} at their bin directory, or use a running server: " +
                "export ConnectionStrings__meshdb='Host=...;Port=5432;Database=meshdb;Username=...;Password=...'.");
        }

        if (requiredMajor is null)
        {
            return found[0];
        }

        return found.FirstOrDefault(b => b.MajorVersion == requiredMajor)
            ?? throw new LocalClusterException(
                $"The data directory {dataDirectory} holds a PostgreSQL {requiredMajor} cluster, but the installed server is " +
                $"PostgreSQL {string.Join(", ", found.Select(b => b.MajorVersion))} ({found[0].BinDirectory}), which cannot open it. " +
                $"Install PostgreSQL {requiredMajor}, upgrade the cluster with pg_upgrade, or start afresh with another --data-dir.");
    }

    private static int ReadMajorVersion(string binDirectory)
    {
        // The directory name is reliable on Debian (/usr/lib/postgresql/15/bin); otherwise ask pg_ctl.
        var parent = Path.GetFileName(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(binDirectory)));
        if (int.TryParse(parent, NumberStyles.None, CultureInfo.InvariantCulture, out var fromPath))
        {
            return fromPath;
        }

        try
        {
            var result = ProcessRunner.RunAsync(Path.Combine(binDirectory, "pg_ctl"), ["--version"], null, CancellationToken.None)
                .GetAwaiter().GetResult();
            var match = VersionPattern().Match(result.Output);
            return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return 0;
        }
    }

    [GeneratedRegex(@"\(PostgreSQL\)\s+(\d+)")]
    private static partial Regex VersionPattern();
}
