using System.Diagnostics;
using System.Globalization;
using System.Net;
using MeshInABox.Domain.Profiles;
using MeshInABox.Hosting.State;
using MeshInABox.Testing;
using MeshInABox.Postgres.LocalCluster;

namespace MeshInABox.Hosting.Tests;

/// <summary>The embedded host keeps its PostgreSQL server alive, its secrets private, and its data directory reusable after a crash.</summary>
public sealed class EmbeddedMeshSupervisionTests : IDisposable
{
    private readonly string _root = TemporaryDirectory.Create("mesh-supervision-");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task PostmasterKilled_WhileTheMeshRuns_IsRestarted_AndTheRegistryAnswersAgain()
    {
        var ct = TestContext.Current.CancellationToken;
        // A durable cluster, as 'mesh up' keeps by default: an ephemeral one commits asynchronously
        // and may lose the last moments before a crash (the schema, this early).
        await using var mesh = await StartAsync(Path.Combine(_root, "mesh"), ct);
        using var http = new HttpClient { BaseAddress = mesh.State!.Services["registry"], Timeout = TimeSpan.FromSeconds(10) };
        using (var before = await http.GetAsync("/data-products", ct))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        var postmaster = PostmasterPid(mesh);
        Kill(postmaster);

        var seen = new List<HttpStatusCode>();
        var clock = Stopwatch.StartNew();
        var answered = false;
        while (!answered && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(200, ct);
            try
            {
                using var response = await http.GetAsync("/data-products", ct);
                seen.Add(response.StatusCode);
                answered = response.StatusCode == HttpStatusCode.OK && PostmasterPid(mesh) != postmaster;
            }
            catch (HttpRequestException)
            {
            }
        }

        Assert.True(answered, $"The registry did not answer again within 60 s; saw {string.Join(", ", seen)}.");
        Assert.DoesNotContain(HttpStatusCode.InternalServerError, seen);
        Assert.NotEqual(postmaster, PostmasterPid(mesh));
    }

    [Fact]
    public async Task SigningKeyAndClusterPassword_AreReadableByTheMeshsUserOnly()
    {
        var ct = TestContext.Current.CancellationToken;
        var dataDirectory = Path.Combine(_root, "mesh");
        await using var mesh = await StartAsync(dataDirectory, ct);
        var key = MeshState.SigningKeyPath(dataDirectory);
        var password = Path.Combine(dataDirectory, "postgres", "superuser.password");
        var ownFile = Path.Combine(_root, "mine");
        await File.WriteAllTextAsync(ownFile, "", ct);

        Assert.Equal("700", await ModeAsync(Path.GetDirectoryName(key)!, ct));
        Assert.Equal("600", await ModeAsync(key, ct));
        Assert.Equal("600", await ModeAsync(password, ct));
        Assert.Equal(await OwnerAsync(ownFile, ct), await OwnerAsync(key, ct));
        Assert.Equal(await OwnerAsync(ownFile, ct), await OwnerAsync(password, ct));
    }

    [Fact]
    public async Task StaleState_OfAKilledMeshWhosePidWasReused_IsClearedOnTheNextStart()
    {
        var ct = TestContext.Current.CancellationToken;
        var dataDirectory = Path.Combine(_root, "mesh");
        await (await StartAsync(dataDirectory, ct)).DisposeAsync();
        using var stranger = Process.Start("sleep", "120");
        var stale = new MeshState(stranger.Id, "iteration-0", dataDirectory, false, DateTimeOffset.UtcNow.AddDays(-1),
            new Dictionary<string, Uri> { ["registry"] = new("http://127.0.0.1:1") },
            new PostgresEndpoint("127.0.0.1", 1, "meshdb", "postgres", External: false));
        await stale.WriteAsync(ct);
        try
        {
            await using var mesh = await StartAsync(dataDirectory, ct);

            var state = await MeshState.ReadAsync(dataDirectory, ct);
            Assert.Equal(Environment.ProcessId, state!.Pid);
        }
        finally
        {
            stranger.Kill();
        }
    }

    private Task<EmbeddedMesh> StartAsync(string? dataDirectory, CancellationToken ct) =>
        EmbeddedMesh.StartAsync(
            new EmbeddedMeshOptions(dataDirectory, Ephemeral: dataDirectory is null, MeshProfile.Iteration0, BasePort: 0, ExternalConnectionString: null),
            new SilentProgress(), ct);

    private static int PostmasterPid(EmbeddedMesh mesh) =>
        int.Parse(File.ReadLines(Path.Combine(mesh.DataDirectory, "postgres", "data", "postmaster.pid")).First(), CultureInfo.InvariantCulture);

    private static void Kill(int pid)
    {
        using var kill = Process.Start("kill", ["-KILL", pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    private static Task<string> ModeAsync(string path, CancellationToken ct) => StatAsync("%a", path, ct);

    private static Task<string> OwnerAsync(string path, CancellationToken ct) => StatAsync("%u", path, ct);

    private static async Task<string> StatAsync(string format, string path, CancellationToken ct) =>
        (await ProcessRunner.RunAsync("stat", ["-c", format, path], null, ct)).Output.Trim();

    private sealed class SilentProgress : IStartupProgress
    {
        public async Task<T> StepAsync<T>(string title, Func<CancellationToken, Task<(T Result, string Outcome)>> step, CancellationToken ct) =>
            (await step(ct)).Result;
    }
}
