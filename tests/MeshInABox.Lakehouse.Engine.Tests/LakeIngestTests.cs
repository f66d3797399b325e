using System.Globalization;
using DuckDB.NET.Data;
using MeshInABox.Domain.Contracts;
using MeshInABox.Iceberg;
using MeshInABox.Iceberg.Scanning;
using MeshInABox.Iceberg.Writing;
using MeshInABox.Lakehouse.Engine.Ingest;
using MeshInABox.Lakehouse.Engine.Tables;
using MeshInABox.MeshRepository.Samples;
using MeshInABox.Testing;

namespace MeshInABox.Lakehouse.Engine.Tests;

public sealed class LakeIngestTests : IDisposable
{
    private static readonly LakeTableName Impressions = LakeTableName.Parse("advertising.ad-impressions.impressions");
    private readonly string _root = TemporaryDirectory.Create("mesh-lake-");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Lake => Path.Combine(_root, "lake");

    private static DataContract Contract(Func<string, string>? edit = null)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryLayout.SampleMesh, "advertising", "ad-impressions", "contracts", "impressions.odcs.yaml"));
        var read = ContractReader.Read((edit ?? (t => t))(text), "impressions.odcs.yaml");
        Assert.True(read.IsValid, string.Join("\n", read.Errors));
        return read.Contract;
    }

    private string Csv(int rows, Action<string[]>? edit = null)
    {
        var path = Path.Combine(_root, $"impressions-{Guid.NewGuid():N}.csv");
        AdImpressionsGenerator.Write(path, rows);
        if (edit is not null)
        {
            var lines = File.ReadAllLines(path);
            edit(lines);
            File.WriteAllLines(path, lines);
        }

        return path;
    }

    private static object? Scalar(string sql)
    {
        using var duck = new DuckDBConnection("DataSource=:memory:");
        duck.Open();
        using var command = duck.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private string TableSql()
    {
        var table = IcebergTable.Open(Impressions.DirectoryIn(Lake));
        return DuckDbScan.Sql(ScanPlanner.Plan(table, table.Metadata.CurrentSnapshot));
    }

    [Fact]
    public void Ingest_GeneratedImpressions_TheTableHoldsExactlyTheCsvsRows()
    {
        var csv = Csv(20_000);

        var result = LakeIngest.Run(csv, Impressions, Contract(), TableWriter.Mode.Append, Lake, StorageTemplates.Daily);

        Assert.True(result.Committed);
        Assert.Equal(20_000, result.Rows);
        var fromTable = Scalar($"SELECT sum(cost_eur)::DECIMAL(18,4) || '|' || count(*) || '|' || count(DISTINCT campaign_id) FROM ({TableSql()})");
        var fromCsv = Scalar($"SELECT sum(cost_eur)::DECIMAL(18,4) || '|' || count(*) || '|' || count(DISTINCT campaign_id) FROM read_csv('{csv}')");
        Assert.Equal(fromCsv, fromTable);
        var spec = IcebergTable.Open(Impressions.DirectoryIn(Lake)).Metadata.PartitionSpecs.Single();
        Assert.Equal(("shown_at_day", "day"), (spec.Fields.Single().Name, spec.Fields.Single().Transform));
    }

    [Fact]
    public void Ingest_BadValueOnLine5000_ReportsItAndCommitsNothing()
    {
        LakeIngest.Run(Csv(100), Impressions, Contract(), TableWriter.Mode.Append, Lake);
        var before = Directory.EnumerateFiles(Impressions.DirectoryIn(Lake), "*", SearchOption.AllDirectories).Order().ToList();
        var bad = Csv(6_000, lines => lines[4999] = lines[4999][..lines[4999].LastIndexOf(',')] + ",abc");

        var result = LakeIngest.Run(bad, Impressions, Contract(), TableWriter.Mode.Append, Lake);

        Assert.False(result.Committed);
        var violation = Assert.Single(result.Violations);
        Assert.Equal(5000, violation.Line);
        Assert.Contains("column 'cost_eur': 'abc' is not a number", violation.Message);
        Assert.Equal(before, Directory.EnumerateFiles(Impressions.DirectoryIn(Lake), "*", SearchOption.AllDirectories).Order().ToList());
    }

    [Fact]
    public void Ingest_DuplicateKeyOrMissingColumn_IsRefusedWithTheLine()
    {
        var duplicate = Csv(50, lines => lines[40] = "7" + lines[40][lines[40].IndexOf(',')..]);
        var missing = Csv(10, lines =>
        {
            for (var i = 0; i < lines.Length; i++)
            {
                lines[i] = lines[i][..lines[i].LastIndexOf(',')];
            }
        });

        var dup = LakeIngest.Run(duplicate, Impressions, Contract(), TableWriter.Mode.Append, Lake);
        var gap = LakeIngest.Run(missing, Impressions, Contract(), TableWriter.Mode.Append, Lake);

        Assert.Contains(dup.Violations, v => v.Line == 41 && v.Message.Contains("'7' appears 2 times (first on line 8)"));
        Assert.Contains(gap.Violations, v => v.Line == 1 && v.Message.Contains("no column 'cost_eur'"));
        Assert.False(Directory.Exists(Impressions.DirectoryIn(Lake)));
    }

    [Fact]
    public void Ingest_MinorContractAddsAnOptionalColumn_OldRowsReadNull()
    {
        LakeIngest.Run(Csv(30), Impressions, Contract(), TableWriter.Mode.Append, Lake);
        var withDevice = Contract(c => c.Replace("version: 1.0.0", "version: 1.1.0")
            .Replace("      - name: cost_eur\n", "      - name: device\n        logicalType: string\n        description: Device class.\n      - name: cost_eur\n"));
        var csv = Csv(10, lines =>
        {
            lines[0] = lines[0].Replace(",cost_eur", ",device,cost_eur", StringComparison.Ordinal);
            for (var i = 1; i < lines.Length; i++)
            {
                var cut = lines[i].LastIndexOf(',');
                lines[i] = lines[i][..cut] + ",tv" + lines[i][cut..];
            }
        });

        var result = LakeIngest.Run(csv, Impressions, withDevice, TableWriter.Mode.Append, Lake);
        var withRegion = Csv(5, lines =>
        {
            lines[0] += ",region";
            for (var i = 1; i < lines.Length; i++)
            {
                lines[i] += ",eu";
            }
        });
        var requiredAdded = Assert.Throws<LakehouseException>(() => LakeIngest.Run(withRegion, Impressions,
            Contract(c => c.Replace("version: 1.0.0", "version: 2.0.0").Replace("slaProperties:", "      - name: region\n        logicalType: string\n        required: true\nslaProperties:")),
            TableWriter.Mode.Append, Lake));

        Assert.Equal(["added columns device"], result.SchemaChanges);
        Assert.Equal(30L, Convert.ToInt64(Scalar($"SELECT count(*) FROM ({TableSql()}) WHERE device IS NULL"), CultureInfo.InvariantCulture));
        Assert.Equal(10L, Convert.ToInt64(Scalar($"SELECT count(*) FROM ({TableSql()}) WHERE device = 'tv'"), CultureInfo.InvariantCulture));
        Assert.Contains("required properties (region)", requiredAdded.Message);
    }

    [Fact]
    public void Ingest_AppendingAFileTheTableStillHolds_IsRefused_WhileOverwriteAndOtherFilesStillLoad()
    {
        var first = Csv(200);
        var copy = Path.Combine(_root, "copy-of-first.csv");
        File.Copy(first, copy);
        var loaded = LakeIngest.Run(first, Impressions, Contract(), TableWriter.Mode.Append, Lake, StorageTemplates.Daily,
            new Dictionary<string, string> { ["loaded-by"] = "test" });

        var again = Assert.Throws<LakehouseException>(() => LakeIngest.Run(copy, Impressions, Contract(), TableWriter.Mode.Append, Lake));
        var overwritten = LakeIngest.Run(copy, Impressions, Contract(), TableWriter.Mode.Overwrite, Lake);
        var stillHeld = Assert.Throws<LakehouseException>(() => LakeIngest.Run(first, Impressions, Contract(), TableWriter.Mode.Append, Lake));
        var otherFile = Csv(50);
        var other = LakeIngest.Run(otherFile, Impressions, Contract(), TableWriter.Mode.Overwrite, Lake);
        var afterReplaced = LakeIngest.Run(first, Impressions, Contract(), TableWriter.Mode.Append, Lake);
        TableWriter.Rollback(Impressions.DirectoryIn(Lake), loaded.Snapshot!.SnapshotId);

        Assert.Equal(LakeIngest.Fingerprint(first), loaded.Snapshot.Summary[LakeIngest.SourceHashProperty]);
        Assert.Equal("test", loaded.Snapshot.Summary["loaded-by"]);
        Assert.Contains($"as snapshot {loaded.Snapshot.SnapshotId}", again.Message);
        Assert.Contains("would count every row twice", again.Message);
        Assert.True(overwritten.Committed);
        Assert.Contains($"as snapshot {overwritten.Snapshot!.SnapshotId}", stillHeld.Message);
        Assert.True(other.Committed);
        Assert.True(afterReplaced.Committed);
        Assert.Equal("250", afterReplaced.Snapshot!.Summary["total-records"]);
        Assert.Equal(loaded.Snapshot.SnapshotId, LakeIngest.FindIngested(Impressions.DirectoryIn(Lake), LakeIngest.Fingerprint(first))!.SnapshotId);
        Assert.Null(LakeIngest.FindIngested(Impressions.DirectoryIn(Lake), LakeIngest.Fingerprint(otherFile))); // rolled back past it
    }

    [Theory]
    [InlineData("advertising.impressions")]
    [InlineData("Advertising.ad.impressions")]
    [InlineData("a.b.c.d")]
    public void TableName_Malformed_IsRefused(string name)
    {
        Assert.Throws<LakehouseException>(() => LakeTableName.Parse(name));
    }
}
