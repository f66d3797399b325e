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
