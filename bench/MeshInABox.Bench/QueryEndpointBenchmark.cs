using System.Net.Http.Headers;
using System.Net.Http.Json;
using DuckDB.NET.Data;
using MeshInABox.Domain.Access;
using MeshInABox.Domain.Contracts;
using MeshInABox.Hosting;
using MeshInABox.Postgres.LocalCluster;
using MeshInABox.Hosting.Services;
using MeshInABox.Iceberg;
using MeshInABox.Iceberg.Scanning;
using MeshInABox.Iceberg.Writing;
using MeshInABox.Lakehouse.Engine.Ingest;
using MeshInABox.Lakehouse.Engine.Tables;
using MeshInABox.MeshRepository.Samples;
using MeshInABox.Registry.Auth;
using MeshInABox.ServiceDefaults;
using Npgsql;

namespace MeshInABox.Bench;

/// <summary>
/// The lakehouse service's time for aggregate queries over an Iceberg product,
/// divided by raw DuckDB's time on the same Parquet files, same run (goal &lt;= 1.15).
/// </summary>
public static class QueryEndpointBenchmark
{
    /// <summary>The service's own median time for a query (request in to last row out), from its usage records.</summary>
    private static async Task<double> ServiceMillisecondsAsync(LocalPostgresCluster cluster, string sql)
    {
        await Task.Delay(1500);
        await using var connection = new NpgsqlConnection(cluster.ConnectionString("meshdb"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) FROM lakehouse.queries WHERE sql = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = sql });
        return await command.ExecuteScalarAsync() is double median ? median : double.NaN;
    }

    public static async Task RunAsync(string contractFile, int rows, string template)
    {
        var root = ReachableTempDirectory.Create("mesh-querybench-");
        var cluster = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions(Path.Combine(root, "postgres"), Durable: false), CancellationToken.None);
        try
        {
            await cluster.EnsureDatabaseAsync("meshdb", CancellationToken.None);
            var lake = Path.Combine(root, "lake");
            var key = Path.Combine(root, "signing.key");
            LocalSigningKey.EnsureExists(key);
            var ports = new[] { Ports.FindFree(), Ports.FindFree() };
            var settings = new Dictionary<string, string?>
            {
                ["ConnectionStrings:meshdb"] = cluster.ConnectionString("meshdb"),
                ["Registry:Auth:SigningKeyFile"] = key,
                ["Lakehouse:LakeRoot"] = lake,
                ["Lakehouse:Auth:SigningKeyFile"] = key,
                ["Logging:LogLevel:Default"] = "Warning",
                ["services:registry:http:0"] = $"http://127.0.0.1:{ports[0]}",
            };
            await using var registry = await EmbeddedService.StartAsync(MeshService.All.Single(s => s.Name == "registry"), ports[0], settings, CancellationToken.None);
            await using var lakehouse = await EmbeddedService.StartAsync(MeshService.All.Single(s => s.Name == "lakehouse"), ports[1], settings, CancellationToken.None);

            using var admin = new HttpClient { BaseAddress = registry.Url };
            admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
                LocalTokens.Issue(key, "bench", ["*"], [MeshAccess.ReadScope, MeshAccess.WriteScope], TimeSpan.FromHours(1)));
            for (var i = 0; i < 100 && !(await admin.GetAsync(new Uri("/health", UriKind.Relative))).IsSuccessStatusCode; i++)
            {
                await Task.Delay(100);
            }

            (await admin.PostAsJsonAsync(new Uri("/data-products", UriKind.Relative), new
            {
                id = "advertising.ad-impressions", name = "Ad impressions", domain = "advertising", owner = "team-gray",
                description = "Every ad shown, for the query benchmark.", classification = "open",
                outputs = new[] { new { name = "impressions", kind = "lakehouse", storageTemplate = template } },
            })).EnsureSuccessStatusCode();

            var csv = Path.Combine(root, "impressions.csv");
            AdImpressionsGenerator.Write(csv, rows);
            var contract = ContractReader.Read(File.ReadAllText(contractFile), contractFile).Contract;
            var name = LakeTableName.Parse("advertising.ad-impressions.impressions");
            LakeIngest.Run(csv, name, contract, TableWriter.Mode.Append, lake, template);
            File.Delete(csv);
            var table = IcebergTable.Open(name.DirectoryIn(lake));
            var files = ScanPlanner.Plan(table, table.Metadata.CurrentSnapshot).Tasks.Select(t => t.LocalPath).ToList();

            using var endpoint = new HttpClient { BaseAddress = lakehouse.Url, Timeout = TimeSpan.FromMinutes(5) };
            using var duck = new DuckDBConnection("DataSource=:memory:");
            duck.Open();
            var raw = $"read_parquet([{string.Join(", ", files.Select(DuckDbScan.Literal))}])";

            Console.WriteLine();
            Console.WriteLine($"Query endpoint vs raw DuckDB, {rows:N0} rows in {files.Count} Parquet files ({template}), median of 5 after a warm-up, {Environment.ProcessorCount} cores");
            Console.WriteLine("| query | POST /query ms | of which in the service ms | raw DuckDB ms | ratio |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            double endpointTotal = 0, rawTotal = 0;
            foreach (var query in AggregateQueries.All)
            {
                var sql = AggregateQueries.For(query, "advertising.ad_impressions.impressions");
                var ours = await AggregateQueries.MedianAsync(async () =>
                {
                    using var response = await endpoint.PostAsJsonAsync(new Uri("/query", UriKind.Relative), new { sql });
                    response.EnsureSuccessStatusCode();
                    await response.Content.ReadAsStringAsync();
                });
                var theirs = await AggregateQueries.MedianAsync(() =>
                {
                    using var command = duck.CreateCommand();
                    command.CommandText = AggregateQueries.For(query, raw);
                    using var reader = command.ExecuteReader();
                    while (reader.Read())
                    {
                    }

                    return Task.CompletedTask;
                });
                endpointTotal += ours;
                rawTotal += theirs;
                Console.WriteLine($"| {AggregateQueries.For(query, "t")} | {ours:0.0} | {await ServiceMillisecondsAsync(cluster, sql):0} | {theirs:0.0} | {ours / theirs:0.00} |");
            }

            Console.WriteLine($"| all queries | {endpointTotal:0.0} | | {rawTotal:0.0} | {endpointTotal / rawTotal:0.00} |");
        }
        finally
        {
            await cluster.StopAsync(immediate: true, CancellationToken.None);
            Directory.Delete(root, recursive: true);
        }
    }
}
