using System.Diagnostics;
using DuckDB.NET.Data;
using MeshInABox.Postgres.LocalCluster;
using MeshInABox.Lakehouse.Engine.Query;
using Npgsql;

namespace MeshInABox.Bench;

/// <summary>
/// What reading a PostgreSQL product through the lakehouse service costs: the same
/// aggregate through the DuckDB table function over binary COPY, against the
/// floor (Npgsql reading the same COPY alone) and PostgreSQL answering itself.
/// </summary>
public static class PostgresSourceBenchmark
{
    public static async Task RunAsync(int rows)
    {
        var root = ReachableTempDirectory.Create("mesh-pgbench-");
        var cluster = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions(Path.Combine(root, "postgres"), Durable: false), CancellationToken.None);
        try
        {
            await cluster.EnsureDatabaseAsync("products", CancellationToken.None);
            var connectionString = cluster.ConnectionString("products");
            await using (var connection = new NpgsqlConnection(connectionString))
            {
                await connection.OpenAsync();
                await using var create = new NpgsqlCommand(
                    $"""
                    CREATE TABLE impressions AS
                    SELECT n::bigint AS impression_id, 'cmp-' || lpad((n % 60)::text, 3, '0') AS campaign_id, (n % 1000) / 10000.0::numeric(10,4) AS cost_eur,
                           TIMESTAMPTZ '2026-01-01 00:00:00+00' + n * INTERVAL '1 second' AS shown_at, n % 7 = 0 AS clicked
                    FROM generate_series(1, {rows}) AS n;
                    ANALYZE impressions;
                    """, connection) { CommandTimeout = 600 };
                await create.ExecuteNonQueryAsync();
            }

            const string Aggregate = "SELECT campaign_id, count(*), sum(cost_eur) FROM {0} GROUP BY campaign_id";
            var server = cluster.ConnectionString("postgres");
            var location = new PostgresLocation("products", "public", "impressions");
            var reference = new ProductReference("sales", "impressions", "impressions", 0);

            var copyAlone = await AggregateQueries.MedianAsync(() =>
            {
                using var connection = new NpgsqlConnection(connectionString);
                connection.Open();
                using var exporter = connection.BeginBinaryExport("COPY (SELECT impression_id, campaign_id, cost_eur::text, shown_at, clicked FROM impressions) TO STDOUT (FORMAT BINARY)");
                while (exporter.StartRow() != -1)
                {
                    exporter.Read<long>();
                    exporter.Read<string>();
                    exporter.Read<string>();
                    exporter.Read<DateTime>();
                    exporter.Read<bool>();
                }

                return Task.CompletedTask;
            });
            var throughDuckDb = await AggregateQueries.MedianAsync(async () =>
            {
                var source = await PostgresTableSource.CreateAsync(server, location, "pg_source_0", consumerRole: null, CancellationToken.None);
                var sources = new MappedProductSources(new Dictionary<string, Func<ProductSource>> { [reference.Key] = () => source });
                await QueryEngine.RunAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, Aggregate, "sales.impressions.impressions"), sources, QueryLimits.Default, _ => { }, _ => { }, CancellationToken.None);
            });
            var inPostgres = await AggregateQueries.MedianAsync(async () =>
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand(string.Format(System.Globalization.CultureInfo.InvariantCulture, Aggregate, "impressions"), connection);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                }
            });

            Console.WriteLine();
            Console.WriteLine($"PostgreSQL product, {rows:N0} rows x 5 columns, median of 5 after a warm-up, {Environment.ProcessorCount} cores");
            Console.WriteLine("| path | ms | rows/s | vs COPY alone |");
            Console.WriteLine("|---|---:|---:|---:|");
            Console.WriteLine($"| Npgsql binary COPY read alone (floor) | {copyAlone:0} | {rows / copyAlone * 1000:N0} | 1.00 |");
            Console.WriteLine($"| lakehouse service: GROUP BY through the DuckDB table function | {throughDuckDb:0} | {rows / throughDuckDb * 1000:N0} | {throughDuckDb / copyAlone:0.00} |");
            Console.WriteLine($"| PostgreSQL answering the GROUP BY itself | {inPostgres:0} | {rows / inPostgres * 1000:N0} | {inPostgres / copyAlone:0.00} |");
        }
        finally
        {
            await cluster.StopAsync(immediate: true, CancellationToken.None);
            Directory.Delete(root, recursive: true);
        }
    }
}
