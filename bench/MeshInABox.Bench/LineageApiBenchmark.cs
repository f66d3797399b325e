using System.Diagnostics;
using System.Net.Http.Headers;
using MeshInABox.Domain.Access;
using MeshInABox.Hosting;
using MeshInABox.Hosting.Services;
using MeshInABox.Postgres.LocalCluster;
using MeshInABox.ServiceDefaults;
using Npgsql;

namespace MeshInABox.Bench;

/// <summary>
/// The registry's lineage answers on a generated mesh of <c>products</c> products, each reading two earlier ones
/// (five column edges from each): p50/p95 of <c>GET /data-products/{id}/lineage?depth=3</c> and of one column's
/// path, beside a plain Npgsql read of one product row in the same run (the baseline).
/// </summary>
public static class LineageApiBenchmark
{
    public static Task RunAsync(int products, int requests) => WithGeneratedMeshAsync(products, async (registry, token, dataSource) =>
    {
        using var http = new HttpClient { BaseAddress = registry };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var random = new Random(42);
        string Pick() => $"bench.p{random.Next(products / 2, products):D4}";
        await MeasureAsync("npgsql: SELECT product by id (baseline)", requests, async () =>
        {
            await using var command = dataSource.CreateCommand("SELECT id, name, owner, status FROM data_products WHERE id = $1");
            command.Parameters.AddWithValue(Pick());
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
        });
        await MeasureAsync("GET /data-products/{id}/lineage?depth=3", requests, async () =>
        {
            using var response = await http.GetAsync($"/data-products/{Pick()}/lineage?depth=3");
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsByteArrayAsync();
        });
        await MeasureAsync("GET /data-products/{id}/columns/c0/lineage?depth=3", requests, async () =>
        {
            using var response = await http.GetAsync($"/data-products/{Pick()}/columns/c0/lineage?depth=3");
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsByteArrayAsync();
        });
    });

    /// <summary>
    /// A local PostgreSQL cluster and the registry on loopback, with <paramref name="products"/> generated products in
    /// its tables (<see cref="GenerateAsync"/>); <paramref name="body"/> gets the registry's address, a read token for
    /// every domain, and a data source on the registry's schema. Everything is removed afterwards.
    /// </summary>
    public static async Task WithGeneratedMeshAsync(int products, Func<Uri, string, NpgsqlDataSource, Task> body)
    {
        var root = ReachableTempDirectory.Create("mesh-lineage-bench-");
        var cluster = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions(Path.Combine(root, "postgres"), Durable: false), CancellationToken.None);
        try
        {
            await cluster.EnsureDatabaseAsync("meshdb", CancellationToken.None);
            var keyFile = Path.Combine(root, "signing.key");
            LocalSigningKey.EnsureExists(keyFile);
            await using var registry = await EmbeddedService.StartAsync(MeshService.All.Single(s => s.Name == "registry"), Ports.FindFree(), new Dictionary<string, string?>
            {
                ["ConnectionStrings:meshdb"] = cluster.ConnectionString("meshdb"),
                ["Registry:Auth:SigningKeyFile"] = keyFile,
                ["Locations:RepositoryRoots:0"] = Path.Combine(root, "mesh"),
                ["Logging:LogLevel:Default"] = "Warning",
            }, CancellationToken.None);
            var token = LocalTokens.Issue(keyFile, "bench", ["*"], [MeshAccess.ReadScope], TimeSpan.FromHours(1));
            using (var health = new HttpClient { BaseAddress = registry.Url })
            {
                health.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
                while (!(await health.GetAsync("/health")).IsSuccessStatusCode)
                {
                    await Task.Delay(200);
                }
            }

            await using var dataSource = NpgsqlDataSource.Create(cluster.ConnectionString("meshdb") + ";Search Path=registry");
            var edges = await GenerateAsync(dataSource, products);
            Console.WriteLine($"{products} products, {edges} column edges (generated in the registry's tables)");
            await body(registry.Url, token, dataSource);
        }
        finally
        {
            await cluster.StopAsync(immediate: true, CancellationToken.None);
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Products bench.p0000..: each current version has five columns; product i reads products i-1 and i/2 (five column edges each).</summary>
    private static async Task<int> GenerateAsync(NpgsqlDataSource dataSource, int products)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandTimeout = 300;
        command.CommandText = """
            INSERT INTO data_products (id, name, domain, owner, description, tags, classification, status, outputs, inputs, created_at, updated_at)
            SELECT format('bench.p%s', lpad(i::text, 4, '0')), format('Product %s', i), 'bench', format('team-%s', i % 17),
                   'A generated product of the lineage benchmark.', ARRAY['bench'], 'open', 'active',
                   '[{"name":"t","kind":"csv"}]', '[]', now(), now()
            FROM generate_series(0, @last) i;
            INSERT INTO product_versions (product_id, version, major, minor, patch, status, contract, content_hash, outputs,
                                          idempotency_key, request_hash, created_at, updated_at)
            SELECT id, '1.0.0', 1, 0, 0, 'active', '', '', '[{"name":"t","kind":"csv"}]', 'bench', '', now(), now() FROM data_products;
            INSERT INTO current_versions (product_id, version_id, updated_at) SELECT product_id, id, now() FROM product_versions;
            INSERT INTO version_columns (version_id, output, position, name, logical_type, required, primary_key)
            SELECT version_id, 't', c, 'c' || c, 'string', false, false FROM current_versions, generate_series(0, 4) c;
            WITH readers AS (
                SELECT cv.version_id, i, src
                FROM current_versions cv,
                     LATERAL (SELECT substring(cv.product_id from 'p(\d+)')::int AS i) n,
                     LATERAL (VALUES (n.i - 1), (n.i / 2)) s(src)
                WHERE n.i > 0 AND s.src <> n.i)
            , distinct_readers AS (SELECT DISTINCT version_id, src FROM readers)
            , datasets AS (
                INSERT INTO design_dataset_edges (version_id, output, source_table, source_product, source_output)
                SELECT version_id, 't', format('bench.p%s.t', lpad(src::text, 4, '0')), format('bench.p%s', lpad(src::text, 4, '0')), 't'
                FROM distinct_readers RETURNING 1)
            INSERT INTO design_column_edges (version_id, output, column_name, source_table, source_product, source_output, source_column, edge_type, subtype)
            SELECT version_id, 't', 'c' || c, format('bench.p%s.t', lpad(src::text, 4, '0')), format('bench.p%s', lpad(src::text, 4, '0')), 't', 'c' || c,
                   'DIRECT', 'TRANSFORMATION'
            FROM distinct_readers, generate_series(0, 4) c;
            ANALYZE;
            """;
        command.Parameters.AddWithValue("last", products - 1);
        await command.ExecuteNonQueryAsync();
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM design_column_edges";
        return (int)(long)(await count.ExecuteScalarAsync())!;
    }

    private static async Task MeasureAsync(string name, int requests, Func<Task> request)
    {
        for (var i = 0; i < Math.Min(50, requests); i++)
        {
            await request(); // warm-up: JIT, connection pool, plans
        }

        var times = new double[requests];
        for (var i = 0; i < requests; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await request();
            times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        Array.Sort(times);
        Console.WriteLine($"{name,-55} p50 {times[requests / 2],7:F2} ms   p95 {times[(int)(requests * 0.95)],7:F2} ms   max {times[^1],7:F2} ms");
    }
}
