using System.Text.Json;
using MeshInABox.Hosting.State;
using MeshInABox.Testing;

namespace MeshInABox.Cli.Tests;

public sealed class RegisterCommandTests : IDisposable
{
    private readonly string _root = TemporaryDirectory.Create("mesh-register-");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Register_SampleMeshTwice_PublishesEveryContract_ThenChangesNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var dataDirectory = Path.Combine(_root, "mesh");
        using var mesh = MeshProcess.StartWithSampleMesh(_root, "up", "--data-dir", dataDirectory, "--port", "0", "--empty");
        for (var i = 0; i < 600 && !File.Exists(MeshState.PathIn(dataDirectory)); i++)
        {
            await Task.Delay(100, ct);
        }

        var first = await MeshProcess.RunAsync(_root, ct, "register", RepositoryLayout.SampleMesh, "--data-dir", dataDirectory, "--format", "json");
        var second = await MeshProcess.RunAsync(_root, ct, "register", RepositoryLayout.SampleMesh, "--data-dir", dataDirectory, "--format", "json");
        var token = await MeshProcess.RunAsync(_root, ct, "token", "--domain", "content", "--data-dir", dataDirectory);
        mesh.Terminate();
        await mesh.WaitForExitAsync(TimeSpan.FromSeconds(60), ct);

        Assert.True(first.ExitCode == 0, first.Output + first.Error);
        var published = JsonDocument.Parse(first.Output).RootElement.EnumerateArray().Where(l => l.GetProperty("version").ValueKind == JsonValueKind.String).ToList();
        Assert.Equal(RepositoryLayout.SampleProducts, published.Count);
        Assert.All(published, l => Assert.Equal("active", l.GetProperty("outcome").GetString()));
        Assert.Equal(0, second.ExitCode);
        var again = JsonDocument.Parse(second.Output).RootElement.EnumerateArray().ToList();
        Assert.Equal(RepositoryLayout.SampleProducts, again.Count);
        Assert.All(again, l => Assert.Equal("unchanged (active)", l.GetProperty("outcome").GetString()));
        Assert.Equal(0, token.ExitCode);
        Assert.Equal(3, token.Output.Trim().Split('.').Length);
    }

    [Fact]
    public async Task Register_ManifestPointingOutsideItsFolder_IsRefusedWithTheRule_AndTheRestIsRegistered()
    {
        var ct = TestContext.Current.CancellationToken;
        var repository = RepositoryLayout.CopySampleMesh(Path.Combine(_root, "repo"));
        var manifest = Path.Combine(repository, "content", "catalogue", "dataproduct.json");
        await File.WriteAllTextAsync(manifest, (await File.ReadAllTextAsync(manifest, ct)).Replace("\"data/titles.csv\"", "\"../../../../../../../../etc/passwd\"", StringComparison.Ordinal), ct);
        var dataDirectory = Path.Combine(_root, "mesh");
        using var mesh = MeshProcess.Start(_root, "up", "--data-dir", dataDirectory, "--port", "0", "--repo", repository, "--empty");
        for (var i = 0; i < 600 && !File.Exists(MeshState.PathIn(dataDirectory)); i++)
        {
            await Task.Delay(100, ct);
        }

        var run = await MeshProcess.RunAsync(_root, ct, "register", repository, "--data-dir", dataDirectory, "--format", "json");
        mesh.Terminate();
        await mesh.WaitForExitAsync(TimeSpan.FromSeconds(60), ct);

        Assert.Equal(1, run.ExitCode);
        var lines = JsonDocument.Parse(run.Output).RootElement.EnumerateArray().ToList();
        var refused = lines.First(l => l.GetProperty("product").GetString() == "content.catalogue");
        Assert.Equal("not registered (400)", refused.GetProperty("outcome").GetString());
        Assert.Contains("own folder of a mesh repository", refused.GetRawText());
        Assert.Contains(lines, l => l.GetProperty("product").GetString() == "content.viewing-sessions" && l.GetProperty("outcome").GetString() == "active");
    }

    [Fact]
    public async Task Register_WithoutARunningMesh_ExitsTwoAndSaysWhatToDo()
    {
        var ct = TestContext.Current.CancellationToken;

        var (exitCode, _, error) = await MeshProcess.RunAsync(_root, ct, "register", RepositoryLayout.SampleMesh, "--data-dir", _root);
        var token = await MeshProcess.RunAsync(_root, ct, "token", "--domain", "content", "--data-dir", _root);

        Assert.Equal(2, exitCode);
        Assert.Contains("No mesh is running", error);
        Assert.Equal(1, token.ExitCode);
        Assert.Contains("No signing key", token.Error);
    }
}
