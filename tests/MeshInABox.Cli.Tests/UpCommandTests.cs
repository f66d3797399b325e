using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MeshInABox.Hosting.State;
using MeshInABox.Testing;
using Npgsql;

namespace MeshInABox.Cli.Tests;

public sealed class UpCommandTests : IDisposable
{
    private readonly string _root = TemporaryDirectory.Create("mesh-cli-");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Up_Ephemeral_BecomesHealthy_AndSigtermLeavesNothingBehind()
    {
        var ct = TestContext.Current.CancellationToken;
        using var mesh = MeshProcess.Start(_root, "up", "--ephemeral", "--port", "0");

        var (dataDirectory, state) = await WaitForStateAsync(mesh, ct);
        using var http = new HttpClient();
        using var health = await http.GetAsync(new Uri(state.Services["registry"], "/health"), ct);
        var postmasterPid = int.Parse(File.ReadLines(Path.Combine(dataDirectory, "postgres", "data", "postmaster.pid")).First());
        var status = await MeshProcess.RunAsync(_root, ct, "status", "--data-dir", dataDirectory, "--format", "json");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.True(state.Ephemeral);
        Assert.StartsWith(_root, dataDirectory);
        Assert.True(SystemProcesses.IsAlive(postmasterPid));
        Assert.Equal(0, status.ExitCode);
        var report = JsonDocument.Parse(status.Output).RootElement;
        Assert.True(report.GetProperty("healthy").GetBoolean());
        Assert.Equal("Healthy", report.GetProperty("services").GetProperty("registry").GetProperty("health").GetString());

        mesh.Terminate();
        var exitCode = await mesh.WaitForExitAsync(TimeSpan.FromSeconds(60), ct);

        Assert.Equal(0, exitCode);
        Assert.False(SystemProcesses.IsAlive(postmasterPid));
        Assert.Empty(SystemProcesses.Mentioning(_root));
        Assert.False(Directory.Exists(dataDirectory));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_root));
    }

    [Fact]
    public async Task Up_KilledWithSigkill_StopsItsPostgres_AndRemovesTheEphemeralDirectory()
    {
        var ct = TestContext.Current.CancellationToken;
        using var mesh = MeshProcess.Start(_root, "up", "--ephemeral", "--port", "0");
        var (dataDirectory, _) = await WaitForStateAsync(mesh, ct);
        var postmasterPid = int.Parse(File.ReadLines(Path.Combine(dataDirectory, "postgres", "data", "postmaster.pid")).First());

        MeshProcess.Signal(mesh.Pid, "KILL");
        await mesh.WaitForExitAsync(TimeSpan.FromSeconds(10), ct);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        while ((SystemProcesses.IsAlive(postmasterPid) || SystemProcesses.Mentioning(_root).Count > 0 || Directory.Exists(dataDirectory))
            && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(100, ct);
        }

        Assert.False(SystemProcesses.IsAlive(postmasterPid), "PostgreSQL outlived the mesh that was killed.");
        Assert.Empty(SystemProcesses.Mentioning(_root));
        Assert.False(Directory.Exists(dataDirectory));
    }

    [Fact]
    public async Task Up_SigintToItsPid_StopsItLikeSigterm_EvenAsABackgroundJobOfAScript()
    {
        var ct = TestContext.Current.CancellationToken;
        using var mesh = MeshProcess.Start(_root, workingDirectory: null, asBackgroundJob: true, "up", "--ephemeral", "--port", "0");
        var (dataDirectory, state) = await WaitForStateAsync(mesh, ct);

        MeshProcess.Signal(state.Pid, "INT");
        var exitCode = await mesh.WaitForExitAsync(TimeSpan.FromSeconds(60), ct);

        Assert.Equal(0, exitCode);
        Assert.Contains("Stopping the mesh...", mesh.Output);
        Assert.False(Directory.Exists(dataDirectory));
        Assert.Empty(SystemProcesses.Mentioning(_root));
    }

    [Fact]
    public async Task Up_RepoOptions_ArePrintedAndGivenToTheServices_AndTheSampleMeshIsTheDefault()
    {
        var ct = TestContext.Current.CancellationToken;
        var first = Directory.CreateDirectory(Path.Combine(_root, "repo-a")).FullName;
        var second = Directory.CreateDirectory(Path.Combine(_root, "repo-b")).FullName;
        var checkout = Directory.CreateDirectory(Path.Combine(_root, "checkout")).FullName;
        var sample = Directory.CreateDirectory(Path.Combine(checkout, "samples", "messflix")).FullName;

        using (var given = MeshProcess.Start(_root, "up", "--ephemeral", "--port", "0", "--repo", first, "--repo", second))
        {
            var (_, state) = await WaitForStateAsync(given, ct);
            given.Terminate();
            await given.WaitForExitAsync(TimeSpan.FromSeconds(60), ct);

            Assert.Equal([first, second], state.RepositoryRoots);
            Assert.Contains($"Repositories: {first}, {second}", given.Output);
        }

        using var byDefault = MeshProcess.Start(_root, checkout, asBackgroundJob: false, "up", "--ephemeral", "--port", "0");
        var (_, defaulted) = await WaitForStateAsync(byDefault, ct);
        byDefault.Terminate();
        await byDefault.WaitForExitAsync(TimeSpan.FromSeconds(60), ct);

        Assert.Equal([sample], defaulted.RepositoryRoots);
        Assert.Contains($"Repositories: {sample}", byDefault.Output);
    }

    [Fact]
    public async Task Up_RepoThatDoesNotExist_FailsWithClearMessage()
    {
        var ct = TestContext.Current.CancellationToken;
        var missing = Path.Combine(_root, "no-such-repo");

        var (exitCode, _, error) = await MeshProcess.RunAsync(_root, ct, "up", "--ephemeral", "--port", "0", "--repo", missing);

        Assert.Equal(2, exitCode);
        Assert.Contains($"--repo {missing}: no such directory.", error);
    }

    [Theory]
    [InlineData("--rows 0", "--rows must be at least 1, not 0.")]
    [InlineData("--rows many", "Cannot parse argument 'many' for option '--rows'")]
    [InlineData("--empty --rows 100", "--rows says how much to load, --empty to load nothing")]
    [InlineData("--profile iteration-1 --rows 100", "--rows fills lakehouse tables, which iteration-1 does not have: use --profile iteration-2 or later.")]
    [InlineData("--port abc", "Cannot parse argument 'abc' for option '--port'")]
    [InlineData("--port 70000", "--port must be between 0 and 65535, not 70000.")]
    [InlineData("--profile 9", "Argument '9' not recognized.")]
    public async Task Up_BadOption_ExitsTwoWithTheReason_AndStartsNothing(string options, string message)
    {
        var ct = TestContext.Current.CancellationToken;

        var (exitCode, _, error) = await MeshProcess.RunAsync(_root, ct, ["up", "--ephemeral", .. options.Split(' ')]);

        Assert.Equal(2, exitCode);
        Assert.Contains(message, error);
        Assert.DoesNotContain("   at ", error);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_root));
    }

    [Fact]
    public async Task Up_PortAlreadyTaken_FailsWithClearMessage_AndStartsNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (exitCode, _, error) = await MeshProcess.RunAsync(_root, ct, "up", "--ephemeral", "--port", port.ToString());

        Assert.Equal(1, exitCode);
        Assert.Contains($"Port {port} on 127.0.0.1 is already in use", error);
        Assert.Contains("--port", error);
        Assert.DoesNotContain("   at ", error); // no stack trace
        Assert.Empty(SystemProcesses.Mentioning(_root));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_root));
    }

    [Fact]
    public async Task Up_DataDirectoryOfAnotherPostgresVersion_FailsWithClearMessage()
    {
        var ct = TestContext.Current.CancellationToken;
        var dataDirectory = Path.Combine(_root, "old-mesh");
        var cluster = Directory.CreateDirectory(Path.Combine(dataDirectory, "postgres", "data")).FullName;
        await File.WriteAllTextAsync(Path.Combine(cluster, "PG_VERSION"), "11\n", ct);

        var (exitCode, _, error) = await MeshProcess.RunAsync(_root, ct, "up", "--data-dir", dataDirectory, "--port", "0");

        Assert.Equal(1, exitCode);
        Assert.Contains("holds a PostgreSQL 11 cluster", error);
        Assert.Contains("pg_upgrade", error);
        Assert.Equal("11\n", await File.ReadAllTextAsync(Path.Combine(cluster, "PG_VERSION"), ct));
    }

    [Fact]
    public async Task Up_PersistentDataDirectory_KeepsDataAcrossRestarts_AndRefusesASecondMesh()
    {
        var ct = TestContext.Current.CancellationToken;
        var dataDirectory = Path.Combine(_root, "mesh");

        using (var first = MeshProcess.Start(_root, "up", "--data-dir", dataDirectory, "--port", "0"))
        {
            var (_, state) = await WaitForStateAsync(first, ct);
            await ExecuteAsync(dataDirectory, state, "CREATE TABLE public.kept (note text); INSERT INTO public.kept VALUES ('still here')", ct);

            var second = await MeshProcess.RunAsync(_root, ct, "up", "--data-dir", dataDirectory, "--port", "0");
            Assert.Equal(1, second.ExitCode);
            Assert.Contains("A mesh is already running from", second.Error);

            first.Terminate();
            Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(60), ct));
        }

        Assert.False(File.Exists(MeshState.PathIn(dataDirectory)));
        var stopped = await MeshProcess.RunAsync(_root, ct, "status", "--data-dir", dataDirectory);
        Assert.Equal(1, stopped.ExitCode);
        Assert.Contains("No mesh is running", stopped.Error);

        using var restarted = MeshProcess.Start(_root, "up", "--data-dir", dataDirectory, "--port", "0");
        var (_, again) = await WaitForStateAsync(restarted, ct);
        var note = await ExecuteAsync(dataDirectory, again, "SELECT note FROM public.kept", ct);
        restarted.Terminate();
        await restarted.WaitForExitAsync(TimeSpan.FromSeconds(60), ct);

        Assert.Equal("still here", note);
        Assert.Empty(SystemProcesses.Mentioning(dataDirectory));
    }

    private async Task<(string DataDirectory, MeshState State)> WaitForStateAsync(MeshProcess mesh, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromSeconds(90));
        while (true)
        {
            var stateFile = Directory.EnumerateFiles(_root, MeshState.FileName, SearchOption.AllDirectories).FirstOrDefault();
            if (stateFile is not null && await MeshState.ReadAsync(Path.GetDirectoryName(stateFile)!, limit.Token) is { } state)
            {
                return (state.DataDirectory, state);
            }

            if (limit.IsCancellationRequested)
            {
                throw new TimeoutException($"mesh up wrote no state.\nstdout:\n{mesh.Output}\nstderr:\n{mesh.Error}");
            }

            await Task.Delay(100, CancellationToken.None);
        }
    }

    private static async Task<object?> ExecuteAsync(string dataDirectory, MeshState state, string sql, CancellationToken ct)
    {
        var password = (await File.ReadAllTextAsync(Path.Combine(dataDirectory, "postgres", "superuser.password"), ct)).Trim();
        var connectionString = new NpgsqlConnectionStringBuilder
        {
            Host = state.Postgres.Host,
            Port = state.Postgres.Port,
            Database = state.Postgres.Database,
            Username = state.Postgres.Username,
            Password = password,
            Pooling = false,
        }.ConnectionString;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(ct);
    }
}
