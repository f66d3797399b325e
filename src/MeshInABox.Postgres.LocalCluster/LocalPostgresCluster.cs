using System.Globalization;
using System.Security.Cryptography;
using Npgsql;

namespace MeshInABox.Postgres.LocalCluster;

/// <summary>
/// A PostgreSQL cluster run from the machine's server binaries, listening on
/// loopback only (no Unix socket), with a generated superuser password kept
/// beside it. Used by <c>mesh up</c> and by the tests' database fixture.
/// </summary>
public sealed class LocalPostgresCluster
{
    public const string SuperUser = "postgres";

    /// <summary>PostgreSQL refuses to run as root; this OS user runs it then.</summary>
    public const string ServiceAccount = "postgres";

    private readonly string? _runAs;
    private readonly string _password;
    private readonly bool _durable;
    private PostgresWatchdog? _watchdog;

    private LocalPostgresCluster(PostgresBinaries binaries, string clusterDirectory, int port, string password, string? runAs, bool durable)
    {
        Binaries = binaries;
        ClusterDirectory = clusterDirectory;
        Port = port;
        _password = password;
        _runAs = runAs;
        _durable = durable;
    }

    public PostgresBinaries Binaries { get; }

    public string ClusterDirectory { get; }

    public string DataDirectory => Path.Combine(ClusterDirectory, "data");

    public string LogFile => Path.Combine(ClusterDirectory, "postgres.log");

    public int Port { get; }

    /// <summary>The postmaster's pid while it runs, from its pid file.</summary>
    public int? ServerPid => ReadPostmasterPid(DataDirectory);

    /// <summary>Whether the postmaster named in the pid file is alive (a crashed server leaves the file behind).</summary>
    public bool IsServerRunning => ServerPid is { } pid && IsPostmaster(pid);

    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = SuperUser,
        Password = _password,
        Database = database,
    }.ConnectionString;

    /// <summary>Creates the cluster if the directory has none, then starts it.</summary>
    public static async Task<LocalPostgresCluster> StartAsync(LocalPostgresOptions options, CancellationToken ct)
    {
        var clusterDirectory = Path.GetFullPath(options.ClusterDirectory);
        var dataDirectory = Path.Combine(clusterDirectory, "data");
        var passwordFile = Path.Combine(clusterDirectory, "superuser.password");
        var existingMajor = ReadClusterMajorVersion(dataDirectory);
        var binaries = PostgresBinaries.Find(PostgresBinaries.DefaultSearchDirectories(), existingMajor, dataDirectory);
        var runAs = Environment.UserName == "root" ? ServiceAccount : null;

        Directory.CreateDirectory(clusterDirectory);
        string password;
        if (existingMajor is null)
        {
            password = RandomNumberGenerator.GetHexString(32, lowercase: true);
            await OwnerOnlyFile.WriteAsync(passwordFile, password, ct);
            await GrantToServiceAccountAsync(clusterDirectory, runAs, ct);
            await InitAsync(binaries, dataDirectory, passwordFile, runAs, ct);
            // initdb (as the service account) needed to read it; from now on only this user does.
            await ReclaimAsync(passwordFile, runAs, ct);
        }
        else
        {
            if (!File.Exists(passwordFile))
            {
                throw new LocalClusterException(
                    $"The cluster in {dataDirectory} has no password file ({passwordFile}); it was not created by mesh. " +
                    "Use another --data-dir, or point ConnectionStrings__meshdb at that server.");
            }

            password = (await File.ReadAllTextAsync(passwordFile, ct)).Trim();
            await ReclaimAsync(passwordFile, runAs, ct);
            await StopOrphanAsync(binaries, dataDirectory, runAs, ct);
        }

        var port = options.Port == 0 ? Ports.FindFree() : options.Port;
        if (options.Port != 0 && Ports.IsInUse(port))
        {
            throw new LocalClusterException(Ports.InUse(port, "PostgreSQL server"));
        }

        var cluster = new LocalPostgresCluster(binaries, clusterDirectory, port, password, runAs, options.Durable);
        // Before the server: from its first moment it cannot outlive this process.
        cluster._watchdog = PostgresWatchdog.Start(binaries.Tool("pg_ctl"), dataDirectory, runAs, options.RemoveWhenOrphaned);
        try
        {
            await cluster.StartServerAsync(ct);
        }
        catch
        {
            cluster._watchdog?.Detach();
            throw;
        }

        return cluster;
    }

    /// <summary>Starts the server again after it died, on the same port and settings; its pid file may be left over.</summary>
    public async Task RestartAsync(CancellationToken ct)
    {
        RemoveStalePidFile(DataDirectory);
        await StartServerAsync(ct);
    }

    public async Task EnsureDatabaseAsync(string database, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync(ct);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection)
        {
            Parameters = { new() { Value = database } },
        };
        if (await exists.ExecuteScalarAsync(ct) is not null)
        {
            return;
        }

        try
        {
            var quoted = "\"" + database.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
            await create.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException error) when (error.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // Created concurrently by someone else: what we wanted.
        }
    }

    /// <param name="immediate">Skip the shutdown checkpoint; for clusters about to be deleted.</param>
    public async Task StopAsync(bool immediate, CancellationToken ct)
    {
        _watchdog?.Detach();
        var result = await ProcessRunner.RunAsync(
            Binaries.Tool("pg_ctl"),
            ["-D", DataDirectory, "-m", immediate ? "immediate" : "fast", "-w", "-t", "60", "stop"],
            _runAs, ct);
        if (result.ExitCode != 0 && ServerPid is not null)
        {
            throw new LocalClusterException($"Could not stop PostgreSQL in {DataDirectory}: {result.Combined}");
        }
    }

    private async Task StartServerAsync(CancellationToken ct)
    {
        var settings = new List<string>
        {
            "-p", Port.ToString(CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1",
            // No Unix socket: its path length limit breaks deep data directories, and TCP is all we use.
            "-c", "unix_socket_directories=''",
        };
        if (!_durable)
        {
            // No flushes to disk, but every commit still reaches the kernel: a server that crashes (and is
            // restarted by the mesh) loses nothing; only a machine crash would. Asynchronous commit would lose
            // the last moments, the schema's migrations included when it dies early.
            settings.AddRange(["-c", "fsync=off", "-c", "full_page_writes=off"]);
        }

        var result = await ProcessRunner.RunAsync(
            Binaries.Tool("pg_ctl"),
            ["-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "-o", string.Join(' ', settings), "start"],
            _runAs, ct);
        if (result.ExitCode != 0)
        {
            throw new LocalClusterException(
                $"PostgreSQL {Binaries.MajorVersion} did not start on port {Port}: {result.Combined}\n{Tail(LogFile)}");
        }
    }

    private static async Task InitAsync(PostgresBinaries binaries, string dataDirectory, string passwordFile, string? runAs, CancellationToken ct)
    {
        var result = await ProcessRunner.RunAsync(
            binaries.Tool("initdb"),
            ["-D", dataDirectory, "-U", SuperUser, "--pwfile", passwordFile, "--auth-host=scram-sha-256",
             "--auth-local=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
            runAs, ct);
        if (result.ExitCode != 0)
        {
            throw new LocalClusterException($"initdb could not create a cluster in {dataDirectory}: {result.Combined}");
        }
    }

    /// <summary>
    /// A previous mesh that was killed leaves its postmaster running; stop it
    /// so this start owns the cluster.
    /// </summary>
    private static async Task StopOrphanAsync(PostgresBinaries binaries, string dataDirectory, string? runAs, CancellationToken ct)
    {
        var pid = ReadPostmasterPid(dataDirectory);
        if (pid is null)
        {
            return;
        }

        if (!IsPostmaster(pid.Value))
        {
            RemoveStalePidFile(dataDirectory);
            return;
        }

        await ProcessRunner.RunAsync(binaries.Tool("pg_ctl"), ["-D", dataDirectory, "-m", "fast", "-w", "stop"], runAs, ct);
    }

    /// <summary>
    /// A pid file whose pid is gone, or now belongs to another program, is left
    /// by a killed server; PostgreSQL would refuse to start over the second kind.
    /// </summary>
    private static void RemoveStalePidFile(string dataDirectory)
    {
        if (ReadPostmasterPid(dataDirectory) is { } pid && !IsPostmaster(pid))
        {
            File.Delete(Path.Combine(dataDirectory, "postmaster.pid"));
        }
    }

    /// <summary>Whether <paramref name="pid"/> is alive and, where /proc tells, a PostgreSQL server.</summary>
    private static bool IsPostmaster(int pid)
    {
        if (!ProcessRunner.IsAlive(pid))
        {
            return false;
        }

        var comm = $"/proc/{pid}/comm";
        try
        {
            return !File.Exists(comm) || File.ReadAllText(comm).Trim() is "postgres" or "postmaster";
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Gives a file the service account needed back to this user (as root, chown makes it ours again).</summary>
    private static async Task ReclaimAsync(string file, string? runAs, CancellationToken ct)
    {
        if (runAs is not null)
        {
            var chown = await ProcessRunner.RunAsync("chown", [$"{Environment.UserName}:", file], null, ct);
            if (chown.ExitCode != 0)
            {
                throw new LocalClusterException($"Could not make {file} this user's own again: {chown.Combined}");
            }
        }

        OwnerOnlyFile.Restrict(file);
    }

    private static async Task GrantToServiceAccountAsync(string clusterDirectory, string? runAs, CancellationToken ct)
    {
        if (runAs is null)
        {
            return;
        }

        var chown = await ProcessRunner.RunAsync("chown", ["-R", $"{runAs}:", clusterDirectory], null, ct);
        if (chown.ExitCode != 0)
        {
            throw new LocalClusterException(
                $"PostgreSQL refuses to run as root, so mesh runs it as the '{runAs}' user, but could not give that user " +
                $"{clusterDirectory}: {chown.Combined}. Create the user (useradd --system {runAs}) or run mesh as a regular user.");
        }

        var reach = await ProcessRunner.RunAsync("test", ["-w", clusterDirectory], runAs, ct);
        if (reach.ExitCode != 0)
        {
            throw new LocalClusterException(
                $"PostgreSQL runs as the '{runAs}' user, which cannot reach {clusterDirectory} (a parent directory is closed to it). " +
                "Choose a --data-dir it can reach (under /tmp or /srv, say) or run mesh as a regular user.");
        }
    }

    private static int? ReadClusterMajorVersion(string dataDirectory)
    {
        var versionFile = Path.Combine(dataDirectory, "PG_VERSION");
        if (File.Exists(versionFile))
        {
            var text = File.ReadAllText(versionFile).Trim();
            return int.TryParse(text.Split('.')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major)
                ? major
                : throw new LocalClusterException($"{versionFile} does not hold a PostgreSQL version ('{text}').");
        }

        if (Directory.Exists(dataDirectory) && Directory.EnumerateFileSystemEntries(dataDirectory).Any())
        {
            throw new LocalClusterException(
                $"{dataDirectory} is not empty but holds no PostgreSQL cluster (no PG_VERSION). Remove it or use another --data-dir.");
        }

        return null;
    }

    private static int? ReadPostmasterPid(string dataDirectory)
    {
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        try
        {
            var firstLine = File.ReadLines(pidFile).FirstOrDefault();
            return int.TryParse(firstLine, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Tail(string file, int lines = 15)
    {
        try
        {
            return string.Join('\n', File.ReadLines(file).TakeLast(lines));
        }
        catch (IOException)
        {
            return "";
        }
    }
}
