using System.Globalization;
using DuckDB.NET.Data;
using MeshInABox.Iceberg.Manifests;
using MeshInABox.Iceberg.Metadata;
using MeshInABox.Iceberg.Scanning;

namespace MeshInABox.Iceberg.Writing;

/// <summary>
/// Writes the rows of a DuckDB query as Parquet data files of a table: columns
/// carry their Iceberg field ids, files are split by partition, and each file's
/// record count, value/null counts and bounds are collected for the manifest.
/// </summary>
public static class ParquetDataWriter
{
    /// <param name="source">SQL whose columns are named as the schema's fields.</param>
    /// <param name="directory">A new directory under the table's data/ for this commit's files.</param>
    public static IReadOnlyList<ContentFile> Write(DuckDBConnection duck, string source, IcebergSchema schema, PartitionSpec spec, string directory)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(directory)!);
        var columns = schema.Fields.Select(f => DuckDbScan.Quote(f.Name)).ToList();
        var partitions = spec.Fields.Select(p => $"{Transforms.DuckDbExpression(p.Transform, DuckDbScan.Quote(schema.Field(p.SourceId).Name))} AS {DuckDbScan.Quote(p.Name)}");
        var fieldIds = string.Join(", ", schema.Fields.Select(f => $"{DuckDbScan.Quote(f.Name)}: {f.Id.ToString(CultureInfo.InvariantCulture)}"));
        var options = spec.IsUnpartitioned
            ? "FILE_SIZE_BYTES '256MB'"
            : $"PARTITION_BY ({string.Join(", ", spec.Fields.Select(p => DuckDbScan.Quote(p.Name)))})";
        Execute(duck, $$"""
            COPY (SELECT {{string.Join(", ", columns.Concat(partitions))}} FROM ({{source}}) AS source)
            TO {{DuckDbScan.Literal(directory)}} (FORMAT parquet, COMPRESSION zstd, FILENAME_PATTERN 'data_{uuid}', {{options}}, FIELD_IDS { {{fieldIds}} })
            """);

        if (!Directory.Exists(directory))
        {
            return [];
        }

        var files = Directory.EnumerateFiles(directory, "*.parquet", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        return files.Count == 0 ? [] : Describe(duck, files, schema, spec, directory);
    }

    /// <summary>Every file's statistics in one grouped pass (one query per file costs more than the write).</summary>
    private static IReadOnlyList<ContentFile> Describe(DuckDBConnection duck, IReadOnlyList<string> files, IcebergSchema schema, PartitionSpec spec, string directory)
    {
        var aggregates = schema.Fields.SelectMany(f => new[]
        {
            $"count({DuckDbScan.Quote(f.Name)})",
            $"min({DuckDbScan.Quote(f.Name)})",
            $"max({DuckDbScan.Quote(f.Name)})",
        });
        using var command = duck.CreateCommand();
        command.CommandText = $"""
            SELECT filename, count(*), {string.Join(", ", aggregates)}
            FROM read_parquet([{string.Join(", ", files.Select(DuckDbScan.Literal))}], filename := true, hive_partitioning := false)
            GROUP BY filename
            """;
        using var reader = command.ExecuteReader();
        var described = new List<ContentFile>();
        while (reader.Read())
        {
            var file = reader.GetString(0);
            var rows = Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture);
            var valueCounts = new Dictionary<int, long>();
            var nullCounts = new Dictionary<int, long>();
            var lower = new Dictionary<int, byte[]>();
            var upper = new Dictionary<int, byte[]>();
            for (var i = 0; i < schema.Fields.Count; i++)
            {
                var field = schema.Fields[i];
                var nonNull = Convert.ToInt64(reader.GetValue(2 + (i * 3)), CultureInfo.InvariantCulture);
                valueCounts[field.Id] = rows;
                nullCounts[field.Id] = rows - nonNull;
                if (BoundEncoding.Encode(field.Type, reader.IsDBNull(3 + (i * 3)) ? null : reader.GetValue(3 + (i * 3))) is { } min)
                {
                    lower[field.Id] = min;
                }

                if (BoundEncoding.Encode(field.Type, reader.IsDBNull(4 + (i * 3)) ? null : reader.GetValue(4 + (i * 3))) is { } max)
                {
                    upper[field.Id] = max;
                }
            }

            if (rows > 0)
            {
                described.Add(new ContentFile(
                    FileContent.Data, file, "PARQUET", spec.SpecId, PartitionValues(file, schema, spec, directory), rows, new FileInfo(file).Length,
                    valueCounts, nullCounts, lower, upper, []));
            }
        }

        return [.. described.OrderBy(f => f.FilePath, StringComparer.Ordinal)];
    }

    /// <summary>Partition values from the hive-style directories DuckDB wrote (name=value/).</summary>
    private static Dictionary<string, object?> PartitionValues(string file, IcebergSchema schema, PartitionSpec spec, string directory)
    {
        var segments = Path.GetRelativePath(directory, Path.GetDirectoryName(file)!).Split(Path.DirectorySeparatorChar)
            .Select(s => s.Split('=', 2)).Where(s => s.Length == 2)
            .ToDictionary(s => Uri.UnescapeDataString(s[0]), s => Uri.UnescapeDataString(s[1]));
        return spec.Fields.ToDictionary(f => f.Name, f => segments.TryGetValue(f.Name, out var text) && text != "NULL"
            ? Parse(text, f.Transform == Transforms.Identity ? schema.Field(f.SourceId).Type : "int")
            : null);
    }

    /// <summary>A partition value as the manifest's Avro type holds it (dates as days since 1970-01-01).</summary>
    private static object Parse(string text, string type) => type switch
    {
        "string" => text,
        "long" => long.Parse(text, CultureInfo.InvariantCulture),
        "boolean" => bool.Parse(text),
        "double" => double.Parse(text, CultureInfo.InvariantCulture),
        "float" => float.Parse(text, CultureInfo.InvariantCulture),
        "date" => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture).DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber,
        _ => int.Parse(text, CultureInfo.InvariantCulture),
    };

    private static void Execute(DuckDBConnection duck, string sql)
    {
        using var command = duck.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
