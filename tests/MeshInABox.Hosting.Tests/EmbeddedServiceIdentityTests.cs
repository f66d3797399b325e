using MeshInABox.Domain.Profiles;
using MeshInABox.Hosting.Services;
using MeshInABox.Testing;

namespace MeshInABox.Hosting.Tests;

/// <summary>In one process, each service still speaks as itself: its application name and telemetry service name are its own, as under Aspire.</summary>
public sealed class EmbeddedServiceIdentityTests : IDisposable
{
    private readonly string _root = TemporaryDirectory.Create("mesh-identity-");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Each_embedded_service_is_named_after_its_own_assembly_and_topology_entry()
    {
        var ct = TestContext.Current.CancellationToken;
        var options = new EmbeddedMeshOptions(Path.Combine(_root, "mesh"), Ephemeral: true, MeshProfile.Iteration2, BasePort: 0, ExternalConnectionString: null);

        await using var mesh = await EmbeddedMesh.StartAsync(options, NoProgress.Instance, ct);

        Assert.Equal(["registry", "lakehouse"], mesh.Services.Select(s => s.Name));
        Assert.Equal(["MeshInABox.Registry", "MeshInABox.Lakehouse"], mesh.Services.Select(s => s.Environment.ApplicationName));
        Assert.Equal(["registry", "lakehouse"], mesh.Services.Select(s => s.Configuration[EmbeddedService.ServiceNameSetting]));
        Assert.Equal(["iteration-2", "iteration-2"], mesh.Services.Select(s => s.Configuration[MeshTopology.ProfileSetting]));
    }

    [Theory]
    [InlineData("iteration-0", "<h1>Data products</h1>")]
    [InlineData("iteration-1", "hx-get=\"/catalog/search\"")]
    public async Task The_registry_knows_the_profile_and_its_catalog_follows_it(string profile, string expected)
    {
        var ct = TestContext.Current.CancellationToken;
        MeshProfile.TryFind(profile, out var mesh);
        var options = new EmbeddedMeshOptions(Path.Combine(_root, profile), Ephemeral: true, mesh, BasePort: 0, ExternalConnectionString: null);

        await using var started = await EmbeddedMesh.StartAsync(options, NoProgress.Instance, ct);
        using var http = new HttpClient { BaseAddress = started.Services[0].Url };
        var catalog = await http.GetStringAsync("/catalog", ct);
        using var htmx = await http.GetAsync("/catalog/assets/htmx.min.js", ct);

        Assert.Equal(profile, started.Services[0].Configuration[MeshTopology.ProfileSetting]);
        Assert.Contains(expected, catalog);
        Assert.True(htmx.IsSuccessStatusCode);
    }

    private sealed class NoProgress : IStartupProgress
    {
        public static readonly NoProgress Instance = new();

        public Task<T> StepAsync<T>(string title, Func<CancellationToken, Task<(T Result, string Outcome)>> step, CancellationToken ct) =>
            Run(step, ct);

        private static async Task<T> Run<T>(Func<CancellationToken, Task<(T Result, string Outcome)>> step, CancellationToken ct) =>
            (await step(ct)).Result;
    }
}
