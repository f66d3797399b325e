using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using MeshInABox.Domain.Naming;
using MeshInABox.Domain.Profiles;
using MeshInABox.Postgres.LocalCluster;
using MeshInABox.Hosting.Services;
using MeshInABox.Hosting.State;
using MeshInABox.ServiceDefaults;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace MeshInABox.Hosting;

/// <summary>
/// The embedded host: PostgreSQL (local cluster or given), then the profile's
/// services in-process on loopback, each awaited until healthy; stops
/// everything it started, in reverse order. A loader given in the options
/// fills it before its state is written. While it runs it watches its
/// PostgreSQL server and starts it again when it dies.
/// </summary>
public sealed partial class EmbeddedMesh : IAsyncDisposable
{
    private static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(60);

    /// <summary>How often the server's pid is checked, and the first wait between restarts (doubling up to <see cref="MaxRestartDelay"/>).</summary>
    private static readonly TimeSpan SupervisionInterval = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan MaxRestartDelay = TimeSpan.FromSeconds(30);

    private readonly EmbeddedMeshOptions _options;
    private readonly ILogger _logger;
    private readonly List<EmbeddedService> _services = [];
    private readonly CancellationTokenSource _stopping = new();
    private LocalPostgresCluster? _cluster;
    private Task _supervision = Task.CompletedTask;
    private bool _stopped;

    private EmbeddedMesh(EmbeddedMeshOptions options, string dataDirectory, ILogger logger)
    {
        _options = options;
        DataDirectory = dataDirectory;
        _logger = logger;
    }

    public string DataDirectory { get; }

    /// <summary>The names of the PostgreSQL roles this mesh's storage plane creates.</summary>
    public PostgresRoles Roles { get; private set; } = new();

    public MeshState? State { get; private set; }

    /// <summary>The services running, in start order.</summary>
    public IReadOnlyList<EmbeddedService> Services => _services;

    public static Task<EmbeddedMesh> StartAsync(EmbeddedMeshOptions options, IStartupProgress progress, CancellationToken ct) =>
        StartAsync(options, progress, NullLogger.Instance, ct);

    /// <param name="logger">Where the mesh reports what happens after start-up (PostgreSQL restarts, a stale state cleared).</param>
    public static async Task<EmbeddedMesh> StartAsync(EmbeddedMeshOptions options, IStartupProgress progress, ILogger logger, CancellationToken ct)
    {
        var services = MeshService.For(options.Profile);
        var ports = AllocatePorts(options.BasePort, services);
        var mesh = new EmbeddedMesh(options, await PrepareDataDirectoryAsync(options, logger, ct), logger);
        try
        {
            await mesh.StartAllAsync(services, ports, progress, ct);
            if (mesh._cluster is not null)
            {
                mesh._supervision = mesh.SuperviseAsync(mesh._cluster, mesh._stopping.Token);
            }

            return mesh;
        }
        catch
        {
            await mesh.DisposeAsync();
            throw;
        }
    }

    private async Task StartAllAsync(IReadOnlyList<MeshService> services, int[] ports, IStartupProgress progress, CancellationToken ct)
    {
        var (connectionString, postgres) = await progress.StepAsync("PostgreSQL", StartDatabaseAsync, ct);

        var urls = services.Select((s, i) => (s.Name, Url: new Uri($"http://127.0.0.1:{ports[i]}"))).ToList();
        var signingKey = MeshState.SigningKeyPath(DataDirectory);
        LocalSigningKey.EnsureExists(signingKey);
        if (!OperatingSystem.IsWindows())
        {
            // The mesh's own keys directory, whatever mode an older version created it with.
            File.SetUnixFileMode(Path.GetDirectoryName(signingKey)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var settings = new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{MeshTopology.Database}"] = connectionString,
            ["Logging:LogLevel:Default"] = "Warning",
            [MeshTopology.ProfileSetting] = _options.Profile.Name,
            [MeshTopology.StorageSetting] = MeshTopology.ProvisionsStorage(_options.Profile) ? "true" : "false",
        };
        foreach (var (setting, folder) in MeshTopology.StorageFolders)
        {
            settings[setting] = Path.Combine(DataDirectory, folder);
        }

        // Roles are server-wide: a throwaway mesh, perhaps beside others on one server, names its roles apart.
        Roles = new PostgresRoles(_options.Ephemeral ? "mesh" + Guid.NewGuid().ToString("N")[..6] : PostgresRoles.DefaultPrefix);
        settings[PostgresRoles.PrefixSetting] = Roles.Prefix;
        foreach (var service in services)
        {
            // Tokens minted by 'mesh token' for this mesh are signed with this key.
            settings[service.Spec.SigningKeySetting] = signingKey;
            if (service.Spec.LakeRootSetting is { } lakeRoot)
            {
                settings[lakeRoot] = Path.Combine(DataDirectory, "lake");
            }
        }

        var roots = (_options.RepositoryRoots ?? []).Select(Path.GetFullPath).ToList();
        for (var i = 0; i < roots.Count; i++)
        {
            settings[$"{MeshTopology.RepositoryRootsSetting}:{i}"] = roots[i];
        }

        foreach (var (name, url) in urls)
        {
            // As Aspire's WithReference injects it, so services find each other the same way under both hosts.
            settings[$"services:{name}:http:0"] = url.ToString();
        }

        for (var i = 0; i < services.Count; i++)
        {
            var service = services[i];
            var port = ports[i];
            await progress.StepAsync(service.Name, async stepCt =>
            {
                var started = await EmbeddedService.StartAsync(service, port, settings, stepCt);
                _services.Add(started);
                await WaitUntilHealthyAsync(started, stepCt);
                return (started, $"healthy at {started.Url}");
            }, ct);
        }

        var state = new MeshState(
            Environment.ProcessId,
            _options.Profile.Name,
            DataDirectory,
            _options.Ephemeral,
            DateTimeOffset.UtcNow,
            _services.ToDictionary(s => s.Name, s => s.Url),
            postgres,
            roots);
        if (_options.Loader is { } loader)
        {
            await loader.LoadAsync(state, progress, ct);
        }

        await state.WriteAsync(ct);
        State = state;
    }

    private async Task<((string, PostgresEndpoint), string)> StartDatabaseAsync(CancellationToken ct)
    {
        var database = MeshTopology.Database;
        if (!string.IsNullOrWhiteSpace(_options.ExternalConnectionString))
        {
            var given = new NpgsqlConnectionStringBuilder(_options.ExternalConnectionString);
            var endpoint = new PostgresEndpoint(given.Host ?? "localhost", given.Port, given.Database ?? database, given.Username ?? "", External: true);
            return ((_options.ExternalConnectionString, endpoint), $"using ConnectionStrings__meshdb ({endpoint.Host}:{endpoint.Port}/{endpoint.Database})");
        }

        _cluster = await LocalPostgresCluster.StartAsync(
            new LocalPostgresOptions(
                Path.Combine(DataDirectory, "postgres"),
                Durable: !_options.Ephemeral,
                // Killed without stopping, an ephemeral mesh leaves nothing: the watchdog removes its directory too.
                RemoveWhenOrphaned: _options.Ephemeral ? DataDirectory : null),
            ct);
        await _cluster.EnsureDatabaseAsync(database, ct);
        var local = new PostgresEndpoint("127.0.0.1", _cluster.Port, database, LocalPostgresCluster.SuperUser, External: false);
        return ((_cluster.ConnectionString(database), local),
            $"PostgreSQL {_cluster.Binaries.MajorVersion} on 127.0.0.1:{_cluster.Port}, database {database}");
    }

    private static async Task WaitUntilHealthyAsync(EmbeddedService service, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = service.Url, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        var last = "no answer yet";
        while (clock.Elapsed < HealthTimeout)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(MeshTopology.HealthPath, UriKind.Relative), ct);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                var report = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
                last = DescribeUnhealthy(report, out var requiresAction);
                if (requiresAction)
                {
                    throw new MeshHostException($"The {service.Name} service is unhealthy and will not recover by itself: {last}");
                }
            }
            catch (Exception error) when (error is HttpRequestException or TaskCanceledException or JsonException && !ct.IsCancellationRequested)
            {
                last = error.Message;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
        }

        throw new MeshHostException($"The {service.Name} service did not become healthy within {HealthTimeout.TotalSeconds} s: {last}");
    }

    private static string DescribeUnhealthy(JsonElement report, out bool requiresAction)
    {
        requiresAction = false;
        var problems = new List<string>();
        if (report.ValueKind == JsonValueKind.Object && report.TryGetProperty("checks", out var checks))
        {
            foreach (var check in checks.EnumerateObject().Where(c => c.Value.GetProperty("status").GetString() != "Healthy"))
            {
                problems.Add($"{check.Name}: {check.Value.GetProperty("description").GetString()}");
                requiresAction |= check.Value.TryGetProperty("data", out var data)
                    && data.ValueKind == JsonValueKind.Object
                    && data.TryGetProperty(HealthReportWriter.RequiresActionKey, out var flag)
                    && flag.ValueKind == JsonValueKind.True;
            }
        }

        return problems.Count == 0 ? "unhealthy" : string.Join("; ", problems);
    }

    private static int[] AllocatePorts(int basePort, IReadOnlyList<MeshService> services)
    {
        if (basePort == 0)
        {
            return [.. services.Select(_ => Ports.FindFree())];
        }

        var ports = services.Select((_, i) => basePort + i).ToArray();
        for (var i = 0; i < ports.Length; i++)
        {
            if (Ports.IsInUse(ports[i]))
            {
                throw new MeshHostException(Ports.InUse(ports[i], services[i].Name));
            }
        }

        return ports;
    }

    /// <summary>
    /// Restarts PostgreSQL when its postmaster dies while the mesh runs (killed,
    /// crashed, stopped by hand), waiting longer after each failed attempt.
    /// Requests meanwhile get 503s; the services' pools reconnect on their own.
    /// </summary>
    private async Task SuperviseAsync(LocalPostgresCluster cluster, CancellationToken ct)
    {
        var delay = SupervisionInterval;
        try
        {
            while (true)
            {
                await Task.Delay(delay, ct);
                if (cluster.IsServerRunning)
                {
                    delay = SupervisionInterval;
                    continue;
                }

                LogServerDied(_logger, cluster.Port);
                try
                {
                    await cluster.RestartAsync(ct);
                    LogServerRestarted(_logger, cluster.Port, cluster.ServerPid ?? 0);
                    delay = SupervisionInterval;
                }
                catch (LocalClusterException error)
                {
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRestartDelay.Ticks));
                    LogRestartFailed(_logger, error.Message, delay);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The mesh is stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL on port {Port} stopped while the mesh runs; restarting it")]
    private static partial void LogServerDied(ILogger logger, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL restarted on port {Port} (pid {Pid})")]
    private static partial void LogServerRestarted(ILogger logger, int port, int pid);

    [LoggerMessage(Level = LogLevel.Error, Message = "PostgreSQL did not restart: {Reason}; trying again in {Delay}")]
    private static partial void LogRestartFailed(ILogger logger, string reason, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed the state of a mesh that is no longer running (pid {Pid}, started {StartedAt})")]
    private static partial void LogStaleState(ILogger logger, int pid, DateTimeOffset startedAt);

    private static async Task<string> PrepareDataDirectoryAsync(EmbeddedMeshOptions options, ILogger logger, CancellationToken ct)
    {
        if (options.Ephemeral)
        {
            return ReachableTempDirectory.Create("mesh-");
        }

        var directory = Path.GetFullPath(options.DataDirectory ?? EmbeddedMeshOptions.DefaultDataDirectory);
        Directory.CreateDirectory(directory);
        var previous = await MeshState.ReadAsync(directory, ct);
        if (previous is not null && previous.Pid != Environment.ProcessId && previous.IsRunning)
        {
            throw new MeshHostException(
                $"A mesh is already running from {directory} (pid {previous.Pid}, registry {previous.Services.GetValueOrDefault("registry")}). " +
                "Stop it first, or use another --data-dir.");
        }

        if (previous is not null && previous.Pid != Environment.ProcessId)
        {
            // Left by a mesh that was killed: nothing answers at its URLs any more.
            File.Delete(MeshState.PathIn(directory));
            LogStaleState(logger, previous.Pid, previous.StartedAt);
        }

        return directory;
    }

    /// <summary>Stops services, then PostgreSQL; removes the state file and, when ephemeral, the directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await _stopping.CancelAsync();
        await _supervision;
        _stopping.Dispose();
        for (var i = _services.Count - 1; i >= 0; i--)
        {
            await _services[i].DisposeAsync();
        }

        _services.Clear();
        if (_cluster is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            await _cluster.StopAsync(immediate: _options.Ephemeral, timeout.Token);
        }

        if (_options.Ephemeral)
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        else if (State is not null)
        {
            File.Delete(MeshState.PathIn(DataDirectory));
        }
    }
}
