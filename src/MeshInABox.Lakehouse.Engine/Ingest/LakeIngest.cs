using System.Globalization;
using System.Security.Cryptography;
using DuckDB.NET.Data;
using MeshInABox.Domain.Contracts;
using MeshInABox.Domain.Governance;
using MeshInABox.Iceberg;
using MeshInABox.Iceberg.Metadata;
using MeshInABox.Iceberg.Scanning;
using MeshInABox.Iceberg.Writing;
using MeshInABox.Lakehouse.Engine.Tables;

namespace MeshInABox.Lakehouse.Engine.Ingest;

/// <summary>
/// Loads a CSV output into its lakehouse table, enforcing the contract first
/// (header, types, required, allowed values, uniqueness): a file that breaks it
/// commits nothing and every violation names its line. Each snapshot records
/// the SHA-256 of the file it loaded, so that appending a file whose rows the
/// table still holds is refused instead of counting them twice.
/// </summary>
public static class LakeIngest
{
    /// <summary>Snapshot summary entry: the SHA-256 (hex) of the CSV file the snapshot loaded.</summary>
    public const string SourceHashProperty = "meshinabox.source-sha256";

    public sealed record Violation(int Line, string Message);

    public sealed record Result(Snapshot? Snapshot, long Rows, IReadOnlyList<Violation> Violations, IReadOnlyList<string> SchemaChanges)
    {
        public bool Committed => Snapshot is not null;
    }

    /// <param name="properties">Extra snapshot summary entries, e.g. who loaded it.</param>
    /// <param name="time">The clock the table's metadata and snapshot are stamped with (the system's unless given).</param>
    public static Result Run(
        string csvFile, LakeTableName name, DataContract contract, TableWriter.Mode mode, string lake, string? template = null,
        IReadOnlyDictionary<string, string>? properties = null, TimeProvider? time = null)
    {
        if (!File.Exists(csvFile))
        {
            throw new LakehouseException($"{csvFile} does not exist.");
        }

        var directory = name.DirectoryIn(lake);
        var fingerprint = Fingerprint(csvFile);
        if (mode == TableWriter.Mode.Append && FindIngested(directory, fingerprint) is { } earlier)
        {
            throw new LakehouseException(
                $"{csvFile} holds exactly the rows appended to {name} as snapshot {earlier.SnapshotId} ({earlier.Timestamp:u}), " +
                "and the table still holds them: appending it again would count every row twice. Nothing was committed; " +
                "overwrite the table with it instead to replace its rows.");
        }

        var schemaObject = contract.Object(name.Table) ?? (contract.Schema.Count == 1 ? contract.Schema[0] : null)
            ?? throw new LakehouseException($"The contract has no object '{name.Table}' (it has {string.Join(", ", contract.Schema.Select(o => o.Name))}).");

        var data = new DataFile(csvFile, () => new StreamReader(csvFile));
        var violations = CsvCheck.Header(data, schemaObject).Concat(CsvCheck.Values(data, schemaObject))
            .Select(p => new Violation(p.At.Line, p.Message)).ToList();

        using var duck = new DuckDBConnection("DataSource=:memory:");
        duck.Open();
        Execute(duck, "SET autoinstall_known_extensions = false; SET autoload_known_extensions = false;");
        var source = $"read_csv({DuckDbScan.Literal(csvFile)}, header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"')";
        if (violations.Count == 0)
        {
            violations.AddRange(Duplicates(duck, source, schemaObject));
        }

        if (violations.Count > 0)
        {
            return new Result(null, 0, violations, []);
        }

        var changes = new List<string>();
        IcebergSchema schema;
        if (!File.Exists(Path.Combine(directory, "metadata", "version-hint.text")))
        {
            schema = ContractTableSchema.From(schemaObject);
            TableWriter.Create(directory, schema, StorageTemplates.SpecFor(template, schemaObject, schema),
                new Dictionary<string, string> { ["meshinabox.contract"] = contract.Id ?? "", ["meshinabox.contract-version"] = contract.VersionText ?? "" }, time);
            changes.Add($"created {name} (schema of contract {contract.Id} {contract.VersionText})");
        }
        else
        {
            schema = Evolve(directory, schemaObject, changes, time);
        }

        var table = IcebergTable.Open(directory);
        var columns = schema.Fields.Select(f => schemaObject.Property(f.Name) is null
            ? $"CAST(NULL AS {f.DuckDbType}) AS {DuckDbScan.Quote(f.Name)}"
            : $"CAST(NULLIF({DuckDbScan.Quote(f.Name)}, '') AS {f.DuckDbType}) AS {DuckDbScan.Quote(f.Name)}");
        var files = ParquetDataWriter.Write(duck, $"SELECT {string.Join(", ", columns)} FROM {source}", schema,
            table.Metadata.SpecById(table.Metadata.DefaultSpecId), Path.Combine(directory, "data", $"ingest-{Guid.NewGuid():N}"));
        var summary = new Dictionary<string, string>(properties ?? new Dictionary<string, string>()) { [SourceHashProperty] = fingerprint };
        var snapshot = TableWriter.Commit(directory, mode, files, time, summary);
        return new Result(snapshot, files.Sum(f => f.RecordCount), [], changes);
    }

    /// <summary>The SHA-256 (hex) of a file, as <see cref="SourceHashProperty"/> records it.</summary>
    public static string Fingerprint(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>
    /// The snapshot that loaded the file with this fingerprint, when its rows are still in the
    /// current snapshot: found among the current snapshot's ancestors back to the last overwrite
    /// of the whole table (older rows are gone); null when there is no such snapshot or no table.
    /// </summary>
    public static Snapshot? FindIngested(string tableDirectory, string fingerprint)
    {
        if (!File.Exists(Path.Combine(tableDirectory, "metadata", "version-hint.text")))
        {
            return null;
        }

        var metadata = IcebergTable.Open(tableDirectory).Metadata;
        var byId = metadata.Snapshots.ToDictionary(s => s.SnapshotId);
        for (var snapshot = metadata.CurrentSnapshot; snapshot is not null;
             snapshot = snapshot.ParentSnapshotId is { } parent ? byId.GetValueOrDefault(parent) : null)
        {
            if (snapshot.Summary.GetValueOrDefault(SourceHashProperty) == fingerprint)
            {
                return snapshot;
            }

            if (snapshot.Operation == "overwrite" && snapshot.Summary.GetValueOrDefault("replace-partitions") != "true")
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>
    /// A contract's MINOR version adds optional properties: they become new
    /// columns (new field ids), read as null in older files. A new required
    /// property cannot be added to data that lacks it.
    /// </summary>
    private static IcebergSchema Evolve(string directory, SchemaObject contract, List<string> changes, TimeProvider? time)
    {
        var current = IcebergTable.Open(directory).Metadata.CurrentSchema;
        var added = contract.Properties.Where(p => current.Fields.All(f => f.Name != p.Name)).ToList();
        var required = added.Where(p => p.Required).Select(p => p.Name).ToList();
        if (required.Count > 0)
        {
            throw new LakehouseException(
                $"The contract adds required properties ({string.Join(", ", required)}) the table's existing rows lack: " +
                "that is a breaking change; publish them as optional, or load into a new table.");
        }

        if (added.Count == 0)
        {
            return current;
        }

        changes.Add($"added columns {string.Join(", ", added.Select(p => p.Name))}");
        return TableWriter.AddColumns(directory, [.. added.Select(p => (p.Name, ContractTableSchema.TypeOf(p)))], time);
    }

    private static IEnumerable<Violation> Duplicates(DuckDBConnection duck, string source, SchemaObject contract)
    {
        foreach (var property in contract.Properties.Where(p => p.Unique || (p.PrimaryKey && contract.Properties.Count(k => k.PrimaryKey) == 1)))
        {
            var column = DuckDbScan.Quote(property.Name);
            // The plain aggregate is cheap; line numbers (a sequential window) are computed only when there are duplicates.
            using (var any = duck.CreateCommand())
            {
                any.CommandText = $"SELECT 1 FROM {source} WHERE {column} <> '' GROUP BY {column} HAVING count(*) > 1 LIMIT 1";
                if (any.ExecuteScalar() is null)
                {
                    continue;
                }
            }

            using var command = duck.CreateCommand();
            command.CommandText = $"""
                WITH rows AS (SELECT {column} AS value, row_number() OVER () + 1 AS line FROM {source})
                SELECT value, min(line), max(line), count(*) FROM rows
                WHERE value IS NOT NULL AND value <> ''
                GROUP BY value HAVING count(*) > 1
                ORDER BY min(line) LIMIT {CsvCheck.MaxReportedValues}
                """;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var first = Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture);
                var last = Convert.ToInt32(reader.GetValue(2), CultureInfo.InvariantCulture);
                yield return new Violation(last,
                    $"Line {last}, column '{property.Name}': '{reader.GetString(0)}' appears {reader.GetValue(3)} times (first on line {first}), but the contract says it is unique.");
            }
        }
    }

    private static void Execute(DuckDBConnection duck, string sql)
    {
        using var command = duck.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
