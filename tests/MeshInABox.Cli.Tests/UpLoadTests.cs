using System.Net.Http.Json;
using System.Text.Json;
using MeshInABox.Domain.Profiles;
using MeshInABox.Hosting.State;
using MeshInABox.Testing;

namespace MeshInABox.Cli.Tests;

/// <summary><c>mesh up</c> comes up with the sample mesh loaded, at the most complete profile, and loads it only once.</summary>
public sealed class UpLoadTests : IDisposable
{
    private const string CountImpressions = "SELECT count(*) AS n FROM advertising.ad_impressions.impressions";
    private const string SumCampaigns = "SELECT sum(impressions) AS n, count(*) AS campaigns FROM advertising.campaign_performance.campaign_performance";

    private readonly string _root = TemporaryDirectory.Create("mesh-load-");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Up_ByDefault_RunsTheMostCompleteProfile_WithTheSampleRegisteredPublishedAndQueryable_AndASecondStartAddsNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var repository = RepositoryLayout.CopySampleMesh(Path.Combine(_root, "repo"));
        var repositoryFiles = Files(repository);
        var dataDirectory = Path.Combine(_root, "mesh");

        string firstOutput;
        using (var first = MeshProcess.Start(_root, "up", "--data-dir", dataDirectory, "--port", "0", "--repo", repository))
        {
            var state = await WaitForStateAsync(first, dataDirectory, ct);
            using var registry = new HttpClient { BaseAddress = state.Services["registry"] };
            var products = await registry.GetFromJsonAsync<JsonElement>("/data-products?pageSize=100", ct);
            var register = await MeshProcess.RunAsync(_root, ct, "register", repository, "--data-dir", dataDirectory, "--format", "json");
            var impressions = await CountAsync(dataDirectory, CountImpressions, ct);
            var campaigns = await QueryAsync(dataDirectory, SumCampaigns, ct);
            first.Terminate();
            Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(60), ct));
            firstOutput = first.Output;

            Assert.Equal(MeshProfile.Latest.Name, state.Profile);
            Assert.Equal("iteration-3", state.Profile);
            Assert.Contains("lakehouse", state.Services.Keys);
            Assert.Equal(RepositoryLayout.SampleProducts, products.GetProperty("total").GetInt64());
            Assert.All(products.GetProperty("items").EnumerateArray(), p => Assert.Equal(JsonValueKind.String, p.GetProperty("latestVersion").ValueKind));
            Assert.True(register.ExitCode == 0, register.Output + register.Error);
            var lines = JsonDocument.Parse(register.Output).RootElement.EnumerateArray().ToList();
            Assert.Equal(RepositoryLayout.SampleProducts, lines.Count);
            Assert.All(lines, l => Assert.Equal("unchanged (active)", l.GetProperty("outcome").GetString()));
            Assert.Equal(5_000, impressions);
            Assert.Equal(5_000, campaigns.GetProperty("n").GetInt64());
            Assert.Equal(40, campaigns.GetProperty("campaigns").GetInt64());
        }

        Assert.Contains("Try this:", firstOutput);
        Assert.Contains("/scalar/v1", firstOutput);
        Assert.Contains($"query \"{CountImpressions}\" --data-dir {dataDirectory}", firstOutput);
        Assert.Contains($"validate {repository}", firstOutput);
        Assert.Contains("5,000 rows loaded (5,000 generated rows)", firstOutput);
        Assert.Equal(repositoryFiles, Files(repository));
        Assert.True(File.Exists(Path.Combine(dataDirectory, "samples", "advertising", "ad-impressions", "impressions.csv")));

        using var second = MeshProcess.Start(_root, "up", "--data-dir", dataDirectory, "--port", "0", "--repo", repository);
        await WaitForStateAsync(second, dataDirectory, ct);
        var again = await CountAsync(dataDirectory, CountImpressions, ct);
        var snapshots = await MeshProcess.RunAsync(_root, ct, "lake", "snapshots", "advertising.ad-impressions.impressions", "--data-dir", dataDirectory, "--format", "json");
        second.Terminate();
        Assert.Equal(0, await second.WaitForExitAsync(TimeSpan.FromSeconds(60), ct));

        Assert.Equal(5_000, again);
        Assert.Single(JsonDocument.Parse(snapshots.Output).RootElement.EnumerateArray());
        Assert.Contains($"{RepositoryLayout.SampleProducts} products, {RepositoryLayout.SampleProducts} versions active (already registered)", second.Output);
        Assert.Contains("already loaded (5,000 rows", second.Output);
    }

    [Fact]
    public async Task Up_AfterAStartWithoutLakehouse_AndOneKilledWhileLoading_ConvergesOnTheNextStart_AndRowsReplacesTheLoad()
    {
        var ct = TestContext.Current.CancellationToken;
        var dataDirectory = Path.Combine(_root, "mesh");
        var lake = Path.Combine(dataDirectory, "lake");

        using (var registryOnly = MeshProcess.StartWithSampleMesh(_root, "up", "--data-dir", dataDirectory, "--port", "0", "--profile", "iteration-0"))
        {
            await WaitForStateAsync(registryOnly, dataDirectory, ct);
            registryOnly.Terminate();
            Assert.Equal(0, await registryOnly.WaitForExitAsync(TimeSpan.FromSeconds(60), ct));
            Assert.Contains($"{RepositoryLayout.SampleProducts} versions active ({RepositoryLayout.SampleProducts} products and {RepositoryLayout.SampleProducts} versions new)", registryOnly.Output);
            Assert.DoesNotContain(" query ", registryOnly.Output); // no lakehouse at iteration-0: no query to offer
            Assert.Contains("/data-products", registryOnly.Output);
            Assert.False(Directory.Exists(lake));
        }

        using (var killed = MeshProcess.StartWithSampleMesh(_root, "up", "--data-dir", dataDirectory, "--port", "0", "--rows", "3000"))
        {
            await WaitForOutputAsync(killed, ": products:", ct);
            MeshProcess.Signal(killed.Pid, "KILL");
            await killed.WaitForExitAsync(TimeSpan.FromSeconds(10), ct);
        }

        await WaitUntilNothingRunsFromAsync(dataDirectory, ct);
        using (var converged = MeshProcess.StartWithSampleMesh(_root, "up", "--data-dir", dataDirectory, "--port", "0", "--rows", "3000"))
        {
            await WaitForStateAsync(converged, dataDirectory, ct);
            Assert.Equal(3_000, await CountAsync(dataDirectory, CountImpressions, ct));
            Assert.Equal(3_000, (await QueryAsync(dataDirectory, SumCampaigns, ct)).GetProperty("n").GetInt64());
            converged.Terminate();
            Assert.Equal(0, await converged.WaitForExitAsync(TimeSpan.FromSeconds(60), ct));
        }

        using var more = MeshProcess.StartWithSampleMesh(_root, "up", "--data-dir", dataDirectory, "--port", "0", "--rows", "4000");
        await WaitForStateAsync(more, dataDirectory, ct);
        var count = await CountAsync(dataDirectory, CountImpressions, ct);
        var campaigns = await QueryAsync(dataDirectory, SumCampaigns, ct);
        more.Terminate();
        Assert.Equal(0, await more.WaitForExitAsync(TimeSpan.FromSeconds(60), ct));

        Assert.Equal(4_000, count);
        Assert.Equal(4_000, campaigns.GetProperty("n").GetInt64());
    }

    [Fact]
    public async Task Up_Empty_RegistersAndLoadsNothing_AndSaysHowToRegister()
    {
        var ct = TestContext.Current.CancellationToken;
        using var mesh = MeshProcess.StartWithSampleMesh(_root, "up", "--ephemeral", "--port", "0", "--empty");
        var state = await WaitForEphemeralStateAsync(mesh, ct);
        using var registry = new HttpClient { BaseAddress = state.Services["registry"] };
        var products = await registry.GetFromJsonAsync<JsonElement>("/data-products", ct);
        var lake = Path.Combine(state.DataDirectory, "lake");
        var lakeEntries = Directory.Exists(lake) ? Directory.EnumerateFileSystemEntries(lake).Count() : 0;
        mesh.Terminate();
        Assert.Equal(0, await mesh.WaitForExitAsync(TimeSpan.FromSeconds(60), ct));

        Assert.Equal(MeshProfile.Latest.Name, state.Profile);
        Assert.Equal(0, products.GetProperty("total").GetInt64());
        Assert.Equal(0, lakeEntries);
        Assert.DoesNotContain(": products", mesh.Output);
        Assert.Contains($"register {RepositoryLayout.SampleMesh} --data-dir {state.DataDirectory}", mesh.Output);
    }

    [Fact]
    public async Task Up_RepositoryTheRegistryRefuses_FailsNamingTheProductAndTheWayOut_AndLeavesNothingRunning()
    {
        var ct = TestContext.Current.CancellationToken;
        var repository = RepositoryLayout.CopySampleMesh(Path.Combine(_root, "repo"));
        var manifest = Path.Combine(repository, "content", "catalogue", "dataproduct.json");
        await File.WriteAllTextAsync(manifest, (await File.ReadAllTextAsync(manifest, ct)).Replace("\"data/titles.csv\"", "\"../../../../etc/passwd\"", StringComparison.Ordinal), ct);

        var (exitCode, _, error) = await MeshProcess.RunAsync(_root, ct, "up", "--ephemeral", "--port", "0", "--profile", "iteration-0", "--repo", repository);

        Assert.Equal(1, exitCode);
        Assert.Contains($"Loading {repository} failed: content.catalogue", error);
        Assert.Contains("own folder of a mesh repository", error);
        Assert.Contains("--empty", error);
        Assert.DoesNotContain("   at ", error);
        Assert.Empty(SystemProcesses.Mentioning(_root));
    }

    private static List<string> Files(string directory) =>
        [.. Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Select(f => f + " " + new FileInfo(f).Length).Order(StringComparer.Ordinal)];

    private async Task<long> CountAsync(string dataDirectory, string sql, CancellationToken ct) =>
        (await QueryAsync(dataDirectory, sql, ct)).GetProperty("n").GetInt64();

    private async Task<JsonElement> QueryAsync(string dataDirectory, string sql, CancellationToken ct)
    {
        var (exitCode, output, error) = await MeshProcess.RunAsync(_root, ct, "query", sql, "--data-dir", dataDirectory, "--format", "json");
        Assert.True(exitCode == 0, error);
        return Assert.Single(JsonDocument.Parse(output).RootElement.EnumerateArray());
    }

    private static async Task<MeshState> WaitForStateAsync(MeshProcess mesh, string dataDirectory, CancellationToken ct)
    {
        for (var clock = System.Diagnostics.Stopwatch.StartNew(); clock.Elapsed < TimeSpan.FromSeconds(120); await Task.Delay(100, ct))
        {
            if (File.Exists(MeshState.PathIn(dataDirectory)) && await MeshState.ReadAsync(dataDirectory, ct) is { } state)
            {
                return state;
            }
        }

        throw new TimeoutException($"mesh up wrote no state.\nstdout:\n{mesh.Output}\nstderr:\n{mesh.Error}");
    }

    private async Task<MeshState> WaitForEphemeralStateAsync(MeshProcess mesh, CancellationToken ct)
    {
        for (var clock = System.Diagnostics.Stopwatch.StartNew(); clock.Elapsed < TimeSpan.FromSeconds(120); await Task.Delay(100, ct))
        {
            var file = Directory.EnumerateFiles(_root, MeshState.FileName, SearchOption.AllDirectories).FirstOrDefault();
            if (file is not null && await MeshState.ReadAsync(Path.GetDirectoryName(file)!, ct) is { } state)
            {
                return state;
            }
        }

        throw new TimeoutException($"mesh up wrote no state.\nstdout:\n{mesh.Output}\nstderr:\n{mesh.Error}");
    }

    private static async Task WaitForOutputAsync(MeshProcess mesh, string text, CancellationToken ct)
    {
        for (var clock = System.Diagnostics.Stopwatch.StartNew(); clock.Elapsed < TimeSpan.FromSeconds(120); await Task.Delay(20, ct))
        {
            if (mesh.Output.Contains(text, StringComparison.Ordinal))
            {
                return;
            }
        }

        throw new TimeoutException($"mesh up never printed '{text}'.\nstdout:\n{mesh.Output}\nstderr:\n{mesh.Error}");
    }

    /// <summary>A killed mesh's watchdog stops its PostgreSQL; the next start must wait for that.</summary>
    private static async Task WaitUntilNothingRunsFromAsync(string dataDirectory, CancellationToken ct)
    {
        for (var clock = System.Diagnostics.Stopwatch.StartNew(); clock.Elapsed < TimeSpan.FromSeconds(60); await Task.Delay(100, ct))
        {
            if (SystemProcesses.Mentioning(dataDirectory).Count == 0)
            {
                return;
            }
        }

        throw new TimeoutException($"Something still runs from {dataDirectory}: {string.Join(", ", SystemProcesses.Mentioning(dataDirectory))}");
    }
}
