using System.Diagnostics;
using System.Globalization;
using CsvHelper;
using DuckDB.NET.Data;
using Parquet;
using Parquet.Schema;

namespace MeshInABox.Bench;

/// <summary>
/// The measurement behind the choice of Parquet writer for ingest: the same CSV
/// to one typed Parquet file, by DuckDB's COPY and by CsvHelper + Parquet.Net.
/// </summary>
public static class ParquetWriterComparison
{
    public static async Task RunAsync(string csv, int rows, string directory)
    {
        var duckFile = Path.Combine(directory, "duckdb.parquet");
        var clock = Stopwatch.StartNew();
        using (var duck = new DuckDBConnection("DataSource=:memory:"))
        {
            duck.Open();
            using var command = duck.CreateCommand();
            command.CommandText = $"""
                COPY (SELECT CAST(impression_id AS BIGINT) AS impression_id, CAST(shown_at AS TIMESTAMPTZ) AS shown_at, campaign_id, title_id,
                             placement, audience_segment, CAST(clicked AS BOOLEAN) AS clicked, CAST(cost_eur AS DOUBLE) AS cost_eur
                      FROM read_csv('{csv}', header = true, all_varchar = true))
                TO '{duckFile}' (FORMAT parquet, COMPRESSION snappy)
                """;
            command.ExecuteNonQuery();
        }

        var duckTime = clock.Elapsed;
        clock.Restart();
        await ParquetNetAsync(csv, rows, Path.Combine(directory, "parquetnet.parquet"));
        var netTime = clock.Elapsed;

        Console.WriteLine();
        Console.WriteLine($"Parquet writer for ingest, {rows:N0} rows, CSV to one typed Parquet file, snappy (Parquet.Net's zstd ran ~15x slower than its snappy here):");
        Console.WriteLine("| writer | s | rows/s | ratio to DuckDB |");
        Console.WriteLine("|---|---:|---:|---:|");
        Console.WriteLine($"| DuckDB COPY (read_csv + casts) | {duckTime.TotalSeconds:0.00} | {rows / duckTime.TotalSeconds:N0} | 1.00 |");
        Console.WriteLine($"| CsvHelper + Parquet.Net | {netTime.TotalSeconds:0.00} | {rows / netTime.TotalSeconds:N0} | {netTime / duckTime:0.00} |");
    }

    private static async Task ParquetNetAsync(string csv, int rows, string target)
    {
        var ids = new long[rows];
        var shown = new DateTime[rows];
        var campaigns = new string[rows];
        var titles = new string[rows];
        var placements = new string[rows];
        var segments = new string[rows];
        var clicked = new bool[rows];
        var costs = new double[rows];
        using (var reader = CsvReader.Create(new StreamReader(csv), CsvReaderOptions.Default with { Separator = ',' }, leaveOpen: false))
        {
            var i = 0;
            while (reader.Read() && i < rows)
            {
                ids[i] = long.Parse(reader.GetString(0), CultureInfo.InvariantCulture);
                shown[i] = DateTime.Parse(reader.GetString(1), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
                campaigns[i] = reader.GetString(2);
                titles[i] = reader.GetString(3);
                placements[i] = reader.GetString(4);
                segments[i] = reader.GetString(5);
                clicked[i] = reader.GetString(6) == "true";
                costs[i] = double.Parse(reader.GetString(7), CultureInfo.InvariantCulture);
                i++;
            }
        }

        var fields = new DataField[]
        {
            new DataField<long>("impression_id"),
            new DateTimeDataField("shown_at", DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros),
            new DataField<string>("campaign_id"),
            new DataField<string>("title_id"),
            new DataField<string>("placement"),
            new DataField<string>("audience_segment"),
            new DataField<bool>("clicked"),
            new DataField<double>("cost_eur"),
        };
        await using var stream = File.Create(target);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream, new ParquetOptions { CompressionMethod = CompressionMethod.Snappy });
        using var group = writer.CreateRowGroup();
        await group.WriteAsync<long>(fields[0], ids);
        await group.WriteAsync<DateTime>(fields[1], shown);
        await group.WriteAsync(fields[2], campaigns);
        await group.WriteAsync(fields[3], titles);
        await group.WriteAsync(fields[4], placements);
        await group.WriteAsync(fields[5], segments);
        await group.WriteAsync<bool>(fields[6], clicked);
        await group.WriteAsync<double>(fields[7], costs);
    }
}
