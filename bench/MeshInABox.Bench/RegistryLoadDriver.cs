using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using MeshInABox.Domain.Access;
using MeshInABox.Hosting;
using MeshInABox.Postgres.LocalCluster;
using MeshInABox.Hosting.Services;
using MeshInABox.Registry.Auth;
using Npgsql;
using MeshInABox.ServiceDefaults;

namespace MeshInABox.Bench;

/// <summary>
/// Load on the registry over loopback: product reads and idempotent publishes
/// per second with p99 latency, against a plain Npgsql query loop for the same
/// rows in the same run (the baseline the HTTP service is compared with).
/// </summary>
public static class RegistryLoadDriver
{
    public static async Task RunAsync(int concurrency, TimeSpan duration)
    {
        var root = ReachableTempDirectory.Create("mesh-load-");
        var cluster = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions(Path.Combine(root, "postgres"), Durable: true), CancellationToken.None);
        try
        {
            await cluster.EnsureDatabaseAsync("meshdb", CancellationToken.None);
            var keyFile = Path.Combine(root, "signing.key");
            LocalSigningKey.EnsureExists(keyFile);
            var port = Ports.FindFree();
            await using var registry = await EmbeddedService.StartAsync(MeshService.All.Single(s => s.Name == "registry"), port, new Dictionary<string, string?>
            {
                ["ConnectionStrings:meshdb"] = cluster.ConnectionString("meshdb"),
                ["Registry:Auth:SigningKeyFile"] = keyFile,
                // CSV outputs must lie in a product's folder of a mesh repository.
                ["Locations:RepositoryRoots:0"] = Path.Combine(root, "mesh"),
                ["Logging:LogLevel:Default"] = "Warning",
            }, CancellationToken.None);

            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency * 2 }) { BaseAddress = registry.Url };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
                LocalTokens.Issue(keyFile, "load", ["*"], [MeshAccess.ReadScope, MeshAccess.WriteScope], TimeSpan.FromHours(1)));
            await WaitHealthyAsync(http);
            var ids = await SeedAsync(http, Path.Combine(root, "mesh"), products: 200);

            await using var dataSource = NpgsqlDataSource.Create(cluster.ConnectionString("meshdb"));
            var baseline = await MeasureAsync("npgsql: SELECT product by id (baseline)", concurrency, duration, async (worker, i) =>
            {
                await using var command = dataSource.CreateCommand("SELECT id, name, domain, owner, description, tags, classification, status, outputs::text FROM registry.data_products WHERE id = $1");
                command.Parameters.AddWithValue(ids[(worker * 7919 + i) % ids.Count]);
                await using var reader = await command.ExecuteReaderAsync();
                return await reader.ReadAsync();
            });
            var reads = await MeasureAsync("GET /data-products/{id}", concurrency, duration, async (worker, i) =>
            {
                using var response = await http.GetAsync($"/data-products/{ids[(worker * 7919 + i) % ids.Count]}");
                return response.IsSuccessStatusCode;
            });
            var publishes = await MeasureAsync("POST /data-products/{id}/versions (202 accepted)", concurrency, duration, async (worker, i) =>
            {
                var id = ids[worker % ids.Count];
                var version = $"{worker + 1}.{i}.0";
                using var request = new HttpRequestMessage(HttpMethod.Post, $"/data-products/{id}/versions")
                {
                    Content = JsonContent.Create(new { version, contract = Contract(version) }),
                };
                request.Headers.Add("Idempotency-Key", $"load-{worker}-{i}");
                using var response = await http.SendAsync(request);
                return response.StatusCode == System.Net.HttpStatusCode.Accepted;
            });

            Console.WriteLine();
            Console.WriteLine($"Registry load, {concurrency} concurrent clients, {duration.TotalSeconds:0} s each, loopback, durable PostgreSQL {cluster.Binaries.MajorVersion}, {Environment.ProcessorCount} cores");
            Console.WriteLine("| operation | ops/s | p50 ms | p99 ms | failed | ratio to baseline ops/s |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|");
            foreach (var result in new[] { baseline, reads, publishes })
            {
                Console.WriteLine($"| {result.Name} | {result.PerSecond:0} | {result.P50:0.00} | {result.P99:0.00} | {result.Failed} | {result.PerSecond / baseline.PerSecond:0.00} |");
            }
        }
        finally
        {
            await cluster.StopAsync(immediate: true, CancellationToken.None);
            Directory.Delete(root, recursive: true);
        }
    }

    private sealed record Result(string Name, double PerSecond, double P50, double P99, int Failed);

    private static async Task<Result> MeasureAsync(string name, int concurrency, TimeSpan duration, Func<int, int, Task<bool>> operation)
    {
        // Warm up JIT, pools and plans before the clock starts.
        for (var i = 0; i < 50; i++)
        {
            await operation(concurrency + 1, i);
        }

        var latencies = new List<double>[concurrency];
        var failed = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            latencies[worker] = [];
            for (var i = 0; clock.Elapsed < duration; i++)
            {
                var started = Stopwatch.GetTimestamp();
                if (!await operation(worker, i))
                {
                    Interlocked.Increment(ref failed);
                }

                latencies[worker].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }));
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new Result(name, all.Length / clock.Elapsed.TotalSeconds, all[all.Length / 2], all[(int)(all.Length * 0.99)], failed);
    }

    private static async Task<List<string>> SeedAsync(HttpClient http, string repository, int products)
    {
        var ids = new List<string>();
        for (var i = 0; i < products; i++)
        {
            var folder = Directory.CreateDirectory(Path.Combine(repository, "load", $"product-{i:D4}")).FullName;
            using var response = await http.PostAsJsonAsync("/data-products", new
            {
                id = $"load.product-{i:D4}", name = $"Product {i}", domain = "load", owner = "team-load",
                description = "A product registered to put load on the registry.", businessUnit = "bench", tags = new[] { "load" },
                classification = "open", outputs = new[] { new { name = "facts", kind = "csv", location = Path.Combine(folder, "facts.csv") } },
            });
            response.EnsureSuccessStatusCode();
            ids.Add($"load.product-{i:D4}");
        }

        return ids;
    }

    private static string Contract(string version) => $"""
        apiVersion: v3.1.0
        kind: DataContract
        id: facts
        version: {version}
        status: active
        schema:
          - name: facts
            properties:
              - name: fact_id
                logicalType: integer
                required: true
        """;

    private static async Task WaitHealthyAsync(HttpClient http)
    {
        for (var i = 0; i < 300; i++)
        {
            using var response = await http.GetAsync("/health");
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The registry did not become healthy.");
    }
}
