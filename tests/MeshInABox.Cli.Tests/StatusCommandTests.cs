using System.Text.Json;
using MeshInABox.Testing;

namespace MeshInABox.Cli.Tests;

public sealed class StatusCommandTests : IDisposable
{
    private readonly string _root = TemporaryDirectory.Create("mesh-status-");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Status_NoMesh_ExitsOneAndSaysHowToStartOne()
    {
        var ct = TestContext.Current.CancellationToken;

        var (exitCode, _, error) = await MeshProcess.RunAsync(_root, ct, "status", "--data-dir", _root);

        Assert.Equal(1, exitCode);
        Assert.Contains("No mesh is running", error);
        Assert.Contains("mesh up", error);
    }

    [Fact]
    public async Task Status_StaleStateFile_ReportsNotRunningAsJson()
    {
        var ct = TestContext.Current.CancellationToken;
        // A pid that cannot be alive: above the kernel's pid_max.
        await File.WriteAllTextAsync(Path.Combine(_root, "state.json"), """
            {"pid": 2147483000, "profile": "iteration-0", "dataDirectory": "/nowhere", "ephemeral": false,
             "startedAt": "2026-01-01T00:00:00Z", "services": {"registry": "http://127.0.0.1:1"},
             "postgres": {"host": "127.0.0.1", "port": 1, "database": "meshdb", "username": "postgres", "external": false}}
            """, ct);

        var (exitCode, output, _) = await MeshProcess.RunAsync(_root, ct, "status", "--data-dir", _root, "--format", "json");

        Assert.Equal(1, exitCode);
        var report = JsonDocument.Parse(output).RootElement;
        Assert.False(report.GetProperty("running").GetBoolean());
        Assert.Contains("stale", report.GetProperty("reason").GetString());
    }
}
