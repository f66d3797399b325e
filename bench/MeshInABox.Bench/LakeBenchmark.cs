using System.Diagnostics;
using DuckDB.NET.Data;
using MeshInABox.Domain.Contracts;
using MeshInABox.Postgres.LocalCluster;
using MeshInABox.Iceberg;
using MeshInABox.Iceberg.Scanning;
using MeshInABox.Iceberg.Writing;
using MeshInABox.Lakehouse.Engine.Ingest;
using MeshInABox.Lakehouse.Engine.Tables;
using MeshInABox.MeshRepository.Samples;

namespace MeshInABox.Bench;

/// <summary>
/// Ingest rows/s into an Iceberg table of generated ad impressions, and the
/// project's reader (DuckDB over the planned files, deletes and field-id
/// mapping) against DuckDB's plain read_parquet on the same files, same run.
/// </summary>
public static class LakeBenchmark
{
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
            foreach (var query in AggregateQueries.All)
            {
                var ours = Time(duck, AggregateQueries.For(query, project));
                var theirs = Time(duck, AggregateQueries.For(query, raw));
                projectTotal += ours;
                rawTotal += theirs;
                Console.WriteLine($"| {AggregateQueries.For(query, "t")} | {ours:0.0} | {theirs:0.0} | {ours / theirs:0.00} |");
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

    private static double Time(DuckDBConnection duck, string sql) => AggregateQueries.MedianAsync(() =>
    {
        using var command = duck.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
        }

        return Task.CompletedTask;
    }).GetAwaiter().GetResult();
}
