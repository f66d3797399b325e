using System.Text.Json;
using MeshInABox.Testing;

namespace MeshInABox.Cli.Tests;

public sealed class ContractDiffCommandTests : IDisposable
{
    private readonly string _root = TemporaryDirectory.Create("mesh-diff-");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Titles => Path.Combine(RepositoryLayout.SampleMesh, "content", "catalogue", "contracts", "titles.odcs.yaml");

    [Fact]
    public async Task Diff_RemovedColumnReleasedAsMinor_ExitsOneAndSaysWhatIsNeeded()
    {
        var ct = TestContext.Current.CancellationToken;
        var next = await WriteNextAsync("1.3.0", text => text.Replace("      - name: runtime_minutes\n        logicalType: integer\n        required: true\n        description: Runtime of the movie or of one episode.\n", ""), ct);

        var (exitCode, output, _) = await MeshProcess.RunAsync(_root, ct, "contract", "diff", Titles, next);

        Assert.Equal(1, exitCode);
        Assert.Contains("schema.titles.runtime_minutes", output);
        Assert.Contains("property 'runtime_minutes' removed", output);
        Assert.Contains("1.2.0 -> 1.3.0 is a MINOR release, but the changes need a MAJOR release (e.g. 2.0.0)", output);
    }

    [Fact]
    public async Task Diff_AddedOptionalColumnReleasedAsMinor_ExitsZero_AsJson()
    {
        var ct = TestContext.Current.CancellationToken;
        var next = await WriteNextAsync("1.3.0", text => text.Replace("      - name: added_on\n", "      - name: age_rating\n        logicalType: string\n      - name: added_on\n"), ct);

        var (exitCode, output, _) = await MeshProcess.RunAsync(_root, ct, "contract", "diff", Titles, next, "--format", "json");

        Assert.Equal(0, exitCode);
        var report = JsonDocument.Parse(output).RootElement;
        Assert.True(report.GetProperty("allowed").GetBoolean());
        Assert.Equal("minor", report.GetProperty("required").GetString());
        var change = Assert.Single(report.GetProperty("changes").EnumerateArray());
        Assert.Equal("schema.titles.age_rating", change.GetProperty("path").GetString());
    }

    [Fact]
    public async Task Diff_SampleContractChange_IsMinor_ExitsZero()
    {
        var ct = TestContext.Current.CancellationToken;

        var (exitCode, output, error) = await MeshProcess.RunAsync(_root, ct, "contract", "diff", SampleChange("titles-1.2.0.odcs.yaml"), SampleChange("titles-1.3.0.odcs.yaml"), "--format", "json");

        Assert.True(exitCode == 0, error);
        var report = JsonDocument.Parse(output).RootElement;
        Assert.True(report.GetProperty("allowed").GetBoolean());
        Assert.Equal("minor", report.GetProperty("required").GetString());
        Assert.Equal("minor", report.GetProperty("released").GetString());
        var changes = report.GetProperty("changes").EnumerateArray().ToDictionary(c => c.GetProperty("path").GetString()!, c => c.GetProperty("class").GetString());
        Assert.Equal(new Dictionary<string, string?>
        {
            ["schema.titles.age_rating"] = "minor",
            ["schema.titles.genre.validValues"] = "minor",
            ["schema.titles.title_id.description"] = "patch",
        }, changes);
    }

    [Fact]
    public async Task Diff_SampleContractChangeReleasedAsPatch_ExitsOne()
    {
        var ct = TestContext.Current.CancellationToken;
        var patch = Path.Combine(_root, "titles-1.2.1.odcs.yaml");
        var text = await File.ReadAllTextAsync(SampleChange("titles-1.3.0.odcs.yaml"), ct);
        await File.WriteAllTextAsync(patch, text.Replace("version: 1.3.0", "version: 1.2.1", StringComparison.Ordinal), ct);

        var (exitCode, output, _) = await MeshProcess.RunAsync(_root, ct, "contract", "diff", SampleChange("titles-1.2.0.odcs.yaml"), patch);

        Assert.Equal(1, exitCode);
        Assert.Contains("1.2.0 -> 1.2.1 is a PATCH release, but the changes need a MINOR release (e.g. 1.3.0)", output);
    }

    [Fact]
    public async Task Diff_UnreadableContract_ExitsTwo()
    {
        var ct = TestContext.Current.CancellationToken;
        var broken = Path.Combine(_root, "broken.yaml");
        await File.WriteAllTextAsync(broken, "apiVersion: v3.1.0\nschema: [\n", ct);

        var (exitCode, _, error) = await MeshProcess.RunAsync(_root, ct, "contract", "diff", Titles, broken);

        Assert.Equal(2, exitCode);
        Assert.Contains("broken.yaml:3:1", error);
    }

    private static string SampleChange(string file) => Path.Combine(RepositoryLayout.Root, "samples", "contract-changes", file);

    private async Task<string> WriteNextAsync(string version, Func<string, string> edit, CancellationToken ct)
    {
        var text = await File.ReadAllTextAsync(Titles, ct);
        var next = edit(text).Replace("version: 1.2.0", $"version: {version}", StringComparison.Ordinal);
        Assert.NotEqual(text.Replace("version: 1.2.0", $"version: {version}", StringComparison.Ordinal), next);
        var path = Path.Combine(_root, "next.yaml");
        await File.WriteAllTextAsync(path, next, ct);
        return path;
    }
}
