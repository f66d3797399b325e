using System.Diagnostics;
using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using MeshInABox.Postgres.LocalCluster;

namespace MeshInABox.Bench;

/// <summary>
/// Start to healthy and memory of the whole mesh, per profile and host, against PostgreSQL alone on the
/// same host in the same run: the embedded host as `mesh up` (a child process) and the Aspire AppHost
/// (in this process, as Aspire.Hosting.Testing runs it, with the dashboard on), Kafka off.
/// Memory is PSS (shared pages split between the processes that map them) summed, once every service is
/// healthy, over the processes started since the run began: the mesh process and its PostgreSQL for the
/// embedded host; DCP, the dashboard, the services and the container's processes, plus this process (which
/// hosts the AppHost), for Aspire. Run it on an otherwise idle machine.
/// </summary>
public static class StackStartBenchmark
{
    public static async Task RunAsync(string repositoryRoot, int runs)
    {
        var cli = Path.Combine(repositoryRoot, "src", "MeshInABox.Cli", "bin", "Release", "net10.0", "MeshInABox.Cli.dll");
        if (!File.Exists(cli))
        {
            throw new InvalidOperationException($"{cli} is missing: run 'dotnet build -c Release src/MeshInABox.Cli' first.");
        }

        var results = new List<(string Host, string What, List<Sample> Samples)>();
        foreach (var (what, profile) in new[] { ("PostgreSQL alone (baseline)", (string?)null), ("iteration-0", "iteration-0"), ("iteration-2", "iteration-2") })
        {
            var samples = new List<Sample>();
            for (var run = 0; run < runs; run++)
            {
                samples.Add(profile is null ? await EmbeddedPostgresAloneAsync() : await EmbeddedAsync(cli, profile));
                Console.Error.WriteLine($"embedded {what} run {run + 1}: {samples[^1]}");
            }

            results.Add(("embedded (mesh up)", what, samples));
        }

        foreach (var (what, profile) in new[] { ("PostgreSQL alone (baseline)", (string?)null), ("iteration-0", "iteration-0"), ("iteration-2", "iteration-2") })
        {
            var samples = new List<Sample>();
            for (var run = 0; run < runs; run++)
            {
                samples.Add(await AspireAsync(profile));
                Console.Error.WriteLine($"aspire {what} run {run + 1}: {samples[^1]}");
            }

            results.Add(("Aspire AppHost", what, samples));
        }

        Console.WriteLine();
        Console.WriteLine($"Start to healthy and memory, median of {runs} runs, {Environment.ProcessorCount} cores, Kafka off");
        Console.WriteLine("| host | what runs | start to healthy s | ratio to PostgreSQL alone | memory MiB (PSS) |");
        Console.WriteLine("|---|---|---:|---:|---:|");
        foreach (var group in results.GroupBy(r => r.Host))
        {
            var baseline = Median(group.First().Samples.Select(s => s.Seconds));
            foreach (var (host, what, samples) in group)
            {
                var seconds = Median(samples.Select(s => s.Seconds));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {host} | {what} | {seconds:0.0} | {seconds / baseline:0.00} | {Median(samples.Select(s => s.MemoryMiB)):0} |"));
            }
        }
    }

    private sealed record Sample(double Seconds, double MemoryMiB)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Seconds:0.00} s, {MemoryMiB:0} MiB");
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>`mesh up --ephemeral` until its state file says every service is healthy.</summary>
    private static async Task<Sample> EmbeddedAsync(string cli, string profile)
    {
        var dataDir = Path.Combine(ReachableTempDirectory.Create("mesh-start-"), "mesh");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { cli, "up", "--profile", profile, "--data-dir", dataDir, "--port", "0" })
        {
            start.ArgumentList.Add(arg);
        }

        var before = ProcessMemory.Snapshot();
        var clock = Stopwatch.StartNew();
        using var mesh = Process.Start(start)!;
        _ = mesh.StandardOutput.ReadToEndAsync();
        _ = mesh.StandardError.ReadToEndAsync();
        try
        {
            // The state file is written once every service answered /health.
            while (!File.Exists(Path.Combine(dataDir, "state.json")))
            {
                if (mesh.HasExited)
                {
                    throw new InvalidOperationException($"mesh up --profile {profile} exited with {mesh.ExitCode} before it was healthy.");
                }

                await Task.Delay(20);
            }

            var seconds = clock.Elapsed.TotalSeconds;
            await Task.Delay(TimeSpan.FromSeconds(1));
            return new Sample(seconds, ProcessMemory.PssMiB(ProcessMemory.StartedSince(before)));
        }
        finally
        {
            // SIGTERM, as a user's Ctrl-C: the mesh stops its services and its PostgreSQL, then removes its data.
            ProcessMemory.Signal(mesh.Id, "TERM");
            using var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await mesh.WaitForExitAsync(stopped.Token);
            Directory.Delete(Path.GetDirectoryName(dataDir)!, recursive: true);
        }
    }

    private static async Task<Sample> EmbeddedPostgresAloneAsync()
    {
        var root = ReachableTempDirectory.Create("mesh-start-pg-");
        var before = ProcessMemory.Snapshot();
        var clock = Stopwatch.StartNew();
        var cluster = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions(Path.Combine(root, "postgres"), Durable: false), CancellationToken.None);
        try
        {
            await cluster.EnsureDatabaseAsync("meshdb", CancellationToken.None);
            var seconds = clock.Elapsed.TotalSeconds;
            await Task.Delay(TimeSpan.FromSeconds(1));
            return new Sample(seconds, ProcessMemory.PssMiB(ProcessMemory.StartedSince(before)));
        }
        finally
        {
            await cluster.StopAsync(immediate: true, CancellationToken.None);
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>The AppHost at <paramref name="profile"/>, or with PostgreSQL only when null.</summary>
    private static async Task<Sample> AspireAsync(string? profile)
    {
        var before = ProcessMemory.Snapshot();
        var clock = Stopwatch.StartNew();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.MeshInABox_AppHost>(
            ["--profile", profile ?? "iteration-0", "--Mesh:Kafka", "false"], (options, _) => options.DisableDashboard = false);
        if (profile is null)
        {
            // The AppHost without its projects: DCP, the dashboard and the PostgreSQL container.
            foreach (var project in builder.Resources.Where(r => r is ProjectResource).ToList())
            {
                builder.Resources.Remove(project);
            }
        }

        // A fresh server every run, as the whole-stack tests do: the data volume would keep the last run's.
        foreach (var postgres in builder.Resources.OfType<PostgresServerResource>())
        {
            foreach (var volume in postgres.Annotations.OfType<ContainerMountAnnotation>().Where(m => m.Type == ContainerMountType.Volume).ToList())
            {
                postgres.Annotations.Remove(volume);
            }
        }

        await using var app = await builder.BuildAsync();
        await app.StartAsync();
        var resources = builder.Resources.Where(r => r is ProjectResource or ContainerResource && !r.Name.EndsWith("-rebuilder", StringComparison.Ordinal)).Select(r => r.Name).ToList();
        foreach (var name in resources)
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(name);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        await Task.Delay(TimeSpan.FromSeconds(1));
        // This process hosts the AppHost, so it counts too.
        var memory = ProcessMemory.PssMiB([Environment.ProcessId, .. ProcessMemory.StartedSince(before)]);
        await app.StopAsync();
        return new Sample(seconds, memory);
    }
}
