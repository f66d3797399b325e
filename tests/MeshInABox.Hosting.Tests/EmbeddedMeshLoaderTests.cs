using System.Net;
using MeshInABox.Domain.Profiles;
using MeshInABox.Hosting.State;
using MeshInABox.Testing;

namespace MeshInABox.Hosting.Tests;

/// <summary>A loader fills the mesh with its services up, and the state file appears only once it is done.</summary>
public sealed class EmbeddedMeshLoaderTests : IDisposable
{
    private readonly string _root = TemporaryDirectory.Create("mesh-loader-");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Loader_RunsWithTheServicesHealthy_BeforeTheStateIsWritten_AsAStepOfTheStart()
    {
        var ct = TestContext.Current.CancellationToken;
        var dataDirectory = Path.Combine(_root, "mesh");
        var loader = new RecordingLoader(async (mesh, _) =>
        {
            using var http = new HttpClient { BaseAddress = mesh.Services["registry"] };
            using var health = await http.GetAsync("/health", ct);
            return (health.StatusCode, File.Exists(MeshState.PathIn(dataDirectory)));
        });
        var progress = new RecordingProgress();

        await using var started = await EmbeddedMesh.StartAsync(Options(dataDirectory, loader), progress, ct);

        Assert.Equal((HttpStatusCode.OK, false), loader.Seen);
        Assert.True(File.Exists(MeshState.PathIn(dataDirectory)));
        Assert.Equal(["PostgreSQL", "registry", "loading"], progress.Steps);
    }

    [Fact]
    public async Task Loader_ThatFails_StopsEverythingStarted_AndLeavesNoState()
    {
        var ct = TestContext.Current.CancellationToken;
        var dataDirectory = Path.Combine(_root, "mesh");
        var loader = new RecordingLoader((_, _) => throw new MeshHostException("the sample could not be loaded"));

        var error = await Assert.ThrowsAsync<MeshHostException>(() => EmbeddedMesh.StartAsync(Options(dataDirectory, loader), new RecordingProgress(), ct));

        Assert.Equal("the sample could not be loaded", error.Message);
        Assert.False(File.Exists(MeshState.PathIn(dataDirectory)));
        Assert.False(File.Exists(Path.Combine(dataDirectory, "postgres", "data", "postmaster.pid")));
    }

    private static EmbeddedMeshOptions Options(string dataDirectory, IMeshLoader loader) =>
        new(dataDirectory, Ephemeral: false, MeshProfile.Iteration0, BasePort: 0, ExternalConnectionString: null, Loader: loader);

    private sealed class RecordingLoader(Func<MeshState, CancellationToken, Task<(HttpStatusCode, bool)>> load) : IMeshLoader
    {
        public (HttpStatusCode Health, bool StateWritten) Seen { get; private set; }

        public async Task LoadAsync(MeshState mesh, IStartupProgress progress, CancellationToken ct) =>
            Seen = await progress.StepAsync("loading", async stepCt => (await load(mesh, stepCt), "done"), ct);
    }

    private sealed class RecordingProgress : IStartupProgress
    {
        public List<string> Steps { get; } = [];

        public async Task<T> StepAsync<T>(string title, Func<CancellationToken, Task<(T Result, string Outcome)>> step, CancellationToken ct)
        {
            Steps.Add(title);
            return (await step(ct)).Result;
        }
    }
}
