using System.Text.Json;
using MeshInABox.MeshRepository.Samples;
using MeshInABox.Testing;

namespace MeshInABox.Cli.Tests;

public sealed class LakeCommandTests : IDisposable
{
    private readonly string _root = TemporaryDirectory.Create("mesh-lakecli-");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Contract => Path.Combine(RepositoryLayout.SampleMesh, "advertising", "ad-impressions", "contracts", "impressions.odcs.yaml");

    [Fact]
    public async Task IngestSnapshotsRollbackExpire_ThroughTheCli()
    {
        var ct = TestContext.Current.CancellationToken;
        var csv = Path.Combine(_root, "impressions.csv");
        AdImpressionsGenerator.Write(csv, 2_000);
        var lake = Path.Combine(_root, "lake");
        string[] table = ["--lake", lake];

        var first = await MeshProcess.RunAsync(_root, ct, ["lake", "ingest", csv, "--table", "advertising.ad-impressions.impressions", "--contract", Contract, "--template", "lakehouse-daily", .. table]);
        var second = await MeshProcess.RunAsync(_root, ct, ["lake", "ingest", csv, "--table", "advertising.ad-impressions.impressions", "--contract", Contract, "--mode", "overwrite", .. table]);
        var firstId = first.Output.Trim().Split('\n')[^1];
        var rollback = await MeshProcess.RunAsync(_root, ct, ["lake", "rollback", "advertising.ad-impressions.impressions", "--to", firstId, .. table]);
        var snapshots = await MeshProcess.RunAsync(_root, ct, ["lake", "snapshots", "advertising.ad-impressions.impressions", "--format", "json", .. table]);
        var third = await MeshProcess.RunAsync(_root, ct, ["lake", "ingest", csv, "--table", "advertising.ad-impressions.impressions", "--contract", Contract, "--mode", "overwrite", .. table]);
        var expire = await MeshProcess.RunAsync(_root, ct, ["lake", "expire", "advertising.ad-impressions.impressions", "--keep", "1", .. table]);
        var unknown = await MeshProcess.RunAsync(_root, ct, ["lake", "snapshots", "advertising.nothing.here", .. table]);

        Assert.True(first.ExitCode == 0, first.Error);
        Assert.Equal(0, second.ExitCode);
        Assert.Equal(0, rollback.ExitCode);
        var list = JsonDocument.Parse(snapshots.Output).RootElement.EnumerateArray().ToList();
        Assert.Equal(2, list.Count);
        Assert.Equal(firstId, Assert.Single(list, s => s.GetProperty("current").GetBoolean()).GetProperty("snapshotId").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0, third.ExitCode);
        Assert.Equal(0, expire.ExitCode);
        Assert.Contains("expired 2 snapshot(s)", expire.Output);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("is not an Iceberg table", unknown.Error);
    }

    [Fact]
    public async Task Ingest_TheSameFileTwice_TheSecondIsRefused_SoNoRowIsCountedTwice()
    {
        var ct = TestContext.Current.CancellationToken;
        var csv = Path.Combine(_root, "impressions.csv");
        AdImpressionsGenerator.Write(csv, 300);
        string[] ingest = ["lake", "ingest", csv, "--table", "advertising.ad-impressions.impressions", "--contract", Contract, "--lake", Path.Combine(_root, "lake")];

        var first = await MeshProcess.RunAsync(_root, ct, ingest);
        AdImpressionsGenerator.Write(csv, 300); // as following the docs twice does: the same rows generated again
        var second = await MeshProcess.RunAsync(_root, ct, ingest);
        var snapshots = await MeshProcess.RunAsync(_root, ct, "lake", "snapshots", "advertising.ad-impressions.impressions", "--lake", Path.Combine(_root, "lake"), "--format", "json");

        Assert.True(first.ExitCode == 0, first.Error);
        Assert.Equal(2, second.ExitCode);
        Assert.Contains("would count every row twice", second.Error);
        var snapshot = Assert.Single(JsonDocument.Parse(snapshots.Output).RootElement.EnumerateArray());
        Assert.Equal("300", snapshot.GetProperty("totalRecords").GetString());
    }

    [Fact]
    public async Task Ingest_ViolatingCsv_ExitsOneWithTheLine()
    {
        var ct = TestContext.Current.CancellationToken;
        var csv = Path.Combine(_root, "bad.csv");
        AdImpressionsGenerator.Write(csv, 100);
        var lines = await File.ReadAllLinesAsync(csv, ct);
        lines[41] = lines[41].Replace(",false,", ",maybe,", StringComparison.Ordinal).Replace(",true,", ",maybe,", StringComparison.Ordinal);
        await File.WriteAllLinesAsync(csv, lines, ct);

        var (exitCode, _, error) = await MeshProcess.RunAsync(_root, ct, "lake", "ingest", csv, "--table", "advertising.ad-impressions.impressions", "--contract", Contract, "--lake", Path.Combine(_root, "lake"));

        Assert.Equal(1, exitCode);
        Assert.Contains($"{csv}:42: Line 42, column 'clicked': 'maybe' is not a boolean", error);
        Assert.Contains("nothing was committed", error);
    }
}
