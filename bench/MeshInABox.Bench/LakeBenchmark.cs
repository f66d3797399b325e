using System.Diagnostics;
using DuckDB.NET.Data;
using MeshInABox.Domain.Contracts;
using MeshInABox.Hosting.Postgres;
using MeshInABox.Iceberg;
using MeshInABox.Iceberg.Scanning;
using MeshInABox.Iceberg.Writing;
using MeshInABox.Lakehouse.Ingest;
using MeshInABox.Lakehouse.Tables;
using MeshInABox.MeshRepository.Samples;

namespace MeshInABox.Bench;

/// <summary>
/// Ingest rows/s into an Iceberg table of generated ad impressions, and the
/// project's reader (DuckDB over the planned files, deletes and field-id
/// mapping) against DuckDB's plain read_parquet on the same files, same run.
/// </summary>
public static class LakeBenchmark
{
    private static readonly string[] Queries =
    [
        "SELECT count(*) FROM {0}",
        "SELECT sum(cost_eur) FROM {0}",
        "SELECT campaign_id, count(*), sum(cost_eur) FROM {0} GROUP BY campaign_id",
        "SELECT placement, avg(cost_eur) FROM {0} WHERE clicked GROUP BY placement",
        "SELECT count(DISTINCT title_id) FROM {0} WHERE shown_at >= TIMESTAMPTZ '2026-02-01 00:00:00+00'",
    ];

    public static void Run(string contractFile, int rows)
    {
        var root = ReachableTempDirectory.Create("mesh-lakebench-");
        try
        {
            var csv = Path.Combine(root, "impressions.csv");
            var clock = Stopwatch.StartNew();
            var bytes = AdImpressionsGenerator.Write(csv, rows);
            var generated = clock.Elapsed;

            var contract = ContractReader.Read(File.ReadAllText(contractFile), contractFile).Contract;
            var name = LakeTableName.Parse("advertising.ad-impressions.impressions");
            clock.Restart();
            var result = LakeIngest.Run(csv, name, contract, TableWriter.Mode.Append, Path.Combine(root, "lake"), StorageTemplates.Daily);
            var ingested = clock.Elapsed;
            if (!result.Committed)
            {
                throw new InvalidOperationException(string.Join("\n", result.Violations.Take(5)));
            }

            var table = IcebergTable.Open(name.DirectoryIn(Path.Combine(root, "lake")));
            var plan = ScanPlanner.Plan(table, table.Metadata.CurrentSnapshot);
            var files = plan.Tasks.Select(t => t.LocalPath).ToList();

            using var duck = new DuckDBConnection("DataSource=:memory:");
            duck.Open();
            var project = $"({DuckDbScan.Sql(plan)})";
            var raw = $"read_parquet([{string.Join(", ", files.Select(DuckDbScan.Literal))}])";

            Console.WriteLine();
            Console.WriteLine($"Lakehouse ingest, {rows:N0} generated rows ({bytes / 1024.0 / 1024.0:0} MiB CSV, generated in {generated.TotalSeconds:0.0} s), {Environment.ProcessorCount} cores");
            Console.WriteLine($"ingest (contract check + Parquet via DuckDB COPY + Iceberg commit): {ingested.TotalSeconds:0.00} s = {rows / ingested.TotalSeconds:N0} rows/s, {files.Count} data files");
            Console.WriteLine("| query | project reader ms | read_parquet ms | ratio |");
            Console.WriteLine("|---|---:|---:|---:|");
            double projectTotal = 0, rawTotal = 0;
            foreach (var query in Queries)
            {
                var ours = Median(duck, string.Format(System.Globalization.CultureInfo.InvariantCulture, query, project));
                var theirs = Median(duck, string.Format(System.Globalization.CultureInfo.InvariantCulture, query, raw));
                projectTotal += ours;
                rawTotal += theirs;
                Console.WriteLine($"| {string.Format(System.Globalization.CultureInfo.InvariantCulture, query, "t")} | {ours:0.0} | {theirs:0.0} | {ours / theirs:0.00} |");
            }

            Console.WriteLine($"| all queries | {projectTotal:0.0} | {rawTotal:0.0} | {projectTotal / rawTotal:0.00} |");

            var sample = Math.Min(rows, 2_000_000);
            var sampleCsv = Path.Combine(root, "sample.csv");
            AdImpressionsGenerator.Write(sampleCsv, sample);
            ParquetWriterComparison.RunAsync(sampleCsv, sample, root).GetAwaiter().GetResult();
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Median of 5 runs after one warm-up, in milliseconds.</summary>
    private static double Median(DuckDBConnection duck, string sql)
    {
        var times = new List<double>();
        for (var i = 0; i < 6; i++)
        {
            using var command = duck.CreateCommand();
            command.CommandText = sql;
            var clock = Stopwatch.StartNew();
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                }
            }

            if (i > 0)
            {
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        return times.Order().ElementAt(times.Count / 2);
    }
}
