using MeshInABox.Iceberg.Metadata;
using MeshInABox.Iceberg.Scanning;
using MeshInABox.Iceberg.Writing;
using MeshInABox.Testing;

namespace MeshInABox.Iceberg.Tests;

public sealed class TableWriterTests : IDisposable
{
    private static readonly IcebergSchema Schema = new(0,
    [
        new NestedField(1, "id", true, "long"),
        new NestedField(2, "name", false, "string"),
        new NestedField(3, "shown_at", false, "timestamptz"),
        new NestedField(4, "amount", false, "decimal(10, 2)"),
    ]);

    private static readonly PartitionSpec ByDay = new(0, [new PartitionField("shown_at_day", Transforms.Day, 3, 1000)]);

    private readonly string _root = TemporaryDirectory.Create("mesh-iceberg-");
    private readonly DuckDb _duck = new();

    public void Dispose()
    {
        _duck.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private string TableDirectory => Path.Combine(_root, "advertising", "impressions", "impressions");

    private Snapshot Write(TableWriter.Mode mode, int from, int count)
    {
        var files = ParquetDataWriter.Write(_duck.Connection, Rows(from, count), IcebergTable.Open(TableDirectory).Metadata.CurrentSchema, ByDay,
            Path.Combine(TableDirectory, "data", Guid.NewGuid().ToString("N")));
        return TableWriter.Commit(TableDirectory, mode, files);
    }

    private static string Rows(int from, int count) => $"""
        SELECT CAST(i AS BIGINT) AS id, 'n' || i AS name,
               TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_hours(CAST(i AS BIGINT)) AS shown_at,
               CAST(i / 100 AS DECIMAL(10, 2)) AS amount
        FROM range({from}, {from + count}) t(i)
        """;

    private long Count(Snapshot? snapshot = null)
    {
        var table = IcebergTable.Open(TableDirectory);
        var plan = ScanPlanner.Plan(table, snapshot ?? table.Metadata.CurrentSnapshot);
        return Convert.ToInt64(_duck.Scalar($"SELECT count(*) FROM ({DuckDbScan.Sql(plan)})"), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void AppendOverwriteTimeTravelAndRollback_EachSnapshotReadsItsRows()
    {
        TableWriter.Create(TableDirectory, Schema, ByDay);
        Assert.Equal(0, Count());

        var first = Write(TableWriter.Mode.Append, 0, 100);
        var second = Write(TableWriter.Mode.Append, 100, 50);
        var third = Write(TableWriter.Mode.Overwrite, 1000, 10);

        Assert.Equal(10, Count());
        Assert.Equal(100, Count(first));
        Assert.Equal(150, Count(second));
        Assert.Equal(["append", "append", "overwrite"], IcebergTable.Open(TableDirectory).Metadata.Snapshots.Select(s => s.Operation));
        Assert.Equal("10", third.Summary["total-records"]);
        Assert.Equal("4", File.ReadAllText(Path.Combine(TableDirectory, "metadata", "version-hint.text")));

        TableWriter.Rollback(TableDirectory, second.SnapshotId);

        var rolledBack = IcebergTable.Open(TableDirectory);
        Assert.Equal(second.SnapshotId, rolledBack.Metadata.CurrentSnapshotId);
        Assert.Equal(150, Count());
        Assert.Equal(3, rolledBack.Metadata.Snapshots.Count);
    }

    [Fact]
    public void Write_PartitionsByDay_AndRecordsStatistics()
    {
        TableWriter.Create(TableDirectory, Schema, ByDay);

        Write(TableWriter.Mode.Append, 0, 72);

        var table = IcebergTable.Open(TableDirectory);
        var files = TableWriter.LiveEntries(table, table.Metadata.CurrentSnapshot!).Select(e => e.File).ToList();
        Assert.Equal(3, files.Count);
        Assert.Equal([20454, 20455, 20456], files.Select(f => (int)f.Partition["shown_at_day"]!).Order());
        Assert.All(files, f => Assert.Equal(24, f.RecordCount));
        var firstDay = files.Single(f => (int)f.Partition["shown_at_day"]! == 20454);
        Assert.Equal(0L, BitConverter.ToInt64(firstDay.LowerBounds[1]));
        Assert.Equal(23L, BitConverter.ToInt64(firstDay.UpperBounds[1]));
        Assert.Equal(0, firstDay.NullValueCounts[2]);
    }

    [Fact]
    public void AddColumn_OldFilesReadItAsNull_NewFilesCarryIt()
    {
        TableWriter.Create(TableDirectory, Schema, ByDay);
        Write(TableWriter.Mode.Append, 0, 10);

        var evolved = TableWriter.AddColumns(TableDirectory, [("channel", "string")]);
        var files = ParquetDataWriter.Write(_duck.Connection, $"SELECT *, 'web' AS channel FROM ({Rows(10, 5)})", evolved, ByDay,
            Path.Combine(TableDirectory, "data", Guid.NewGuid().ToString("N")));
        TableWriter.Commit(TableDirectory, TableWriter.Mode.Append, files);

        var table = IcebergTable.Open(TableDirectory);
        var sql = DuckDbScan.Sql(ScanPlanner.Plan(table, table.Metadata.CurrentSnapshot));
        Assert.Equal(5, evolved.Fields[^1].Id);
        Assert.Equal(10L, Convert.ToInt64(_duck.Scalar($"SELECT count(*) FROM ({sql}) WHERE channel IS NULL"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(5L, Convert.ToInt64(_duck.Scalar($"SELECT count(*) FROM ({sql}) WHERE channel = 'web'"), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void SetProperties_SetsAndRemovesAsANewVersion_AndCommitsNothingWhenAlreadyAsWanted()
    {
        TableWriter.Create(TableDirectory, Schema, ByDay, new Dictionary<string, string> { ["owner"] = "team-gray", ["keep"] = "yes" });
        Write(TableWriter.Mode.Append, 0, 10);

        var changed = TableWriter.SetProperties(TableDirectory, new Dictionary<string, string?> { ["owner"] = null, ["retention"] = "7d", ["keep"] = "yes" });

        var table = IcebergTable.Open(TableDirectory);
        Assert.Equal(["owner", "retention"], changed);
        Assert.Equal(3, table.Version);
        Assert.Equal(new Dictionary<string, string> { ["keep"] = "yes", ["retention"] = "7d" }, table.Metadata.Properties);
        Assert.Equal(10, Count());
        Assert.Equal(IcebergTable.MetadataFile(table.Directory, 2), table.Metadata.Document["metadata-log"]!.AsArray()[^1]!["metadata-file"]!.GetValue<string>());

        Assert.Empty(TableWriter.SetProperties(TableDirectory, new Dictionary<string, string?> { ["owner"] = null, ["retention"] = "7d" }));
        Assert.Equal(3, IcebergTable.Open(TableDirectory).Version);
    }

    [Fact]
    public async Task SetProperties_RacingACommit_BothChangesArePresent()
    {
        TableWriter.Create(TableDirectory, Schema, ByDay);
        var schema = IcebergTable.Open(TableDirectory).Metadata.CurrentSchema;
        var files = ParquetDataWriter.Write(_duck.Connection, Rows(0, 20), schema, ByDay, Path.Combine(TableDirectory, "data", Guid.NewGuid().ToString("N")));

        using var start = new ManualResetEventSlim();
        var commit = Task.Run(() =>
        {
            start.Wait(TestContext.Current.CancellationToken);
            TableWriter.Commit(TableDirectory, TableWriter.Mode.Append, files);
        }, TestContext.Current.CancellationToken);
        var properties = Task.Run(() =>
        {
            start.Wait(TestContext.Current.CancellationToken);
            TableWriter.SetProperties(TableDirectory, new Dictionary<string, string?> { ["owner"] = "team-gray" });
        }, TestContext.Current.CancellationToken);
        start.Set();
        await Task.WhenAll(commit, properties);

        Assert.Equal(20, Count());
        Assert.Equal("team-gray", IcebergTable.Open(TableDirectory).Metadata.Properties["owner"]);
    }

    [Fact]
    public async Task TwoConcurrentWriters_BothCommitsArePresent()
    {
        TableWriter.Create(TableDirectory, Schema, ByDay);
        var schema = IcebergTable.Open(TableDirectory).Metadata.CurrentSchema;
        var batches = Enumerable.Range(0, 2).Select(i =>
        {
            using var duck = new DuckDb();
            return ParquetDataWriter.Write(duck.Connection, Rows(i * 1000, 30 + i), schema, ByDay, Path.Combine(TableDirectory, "data", Guid.NewGuid().ToString("N")));
        }).ToList();

        using var start = new ManualResetEventSlim();
        var writers = batches.Select(files => Task.Run(() =>
        {
            start.Wait(TestContext.Current.CancellationToken);
            return TableWriter.Commit(TableDirectory, TableWriter.Mode.Append, files);
        })).ToList();
        start.Set();
        await Task.WhenAll(writers);

        Assert.Equal(61, Count());
        Assert.Equal(2, IcebergTable.Open(TableDirectory).Metadata.Snapshots.Count);
    }

    [Fact]
    public void WriterKilledBetweenDataFilesAndCommit_PreviousSnapshotIsIntact()
    {
        TableWriter.Create(TableDirectory, Schema, ByDay);
        var committed = Write(TableWriter.Mode.Append, 0, 20);

        // Data files written, then the writer dies: no manifest list, no metadata version;
        // a metadata file it was writing is still under its private temporary name.
        ParquetDataWriter.Write(_duck.Connection, Rows(500, 40), Schema, ByDay, Path.Combine(TableDirectory, "data", "crashed"));
        File.WriteAllText(IcebergTable.MetadataFile(TableDirectory, 3) + ".1234.tmp", "{ \"format-version\": 2, \"loc");
        var table = IcebergTable.Open(TableDirectory);

        Assert.Equal(committed.SnapshotId, table.Metadata.CurrentSnapshotId);
        Assert.Equal(20, Count());
        Assert.True(Directory.EnumerateFiles(Path.Combine(TableDirectory, "data", "crashed"), "*.parquet", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public void OverwritePartitions_ReplacesOnlyTheDaysWritten()
    {
        TableWriter.Create(TableDirectory, Schema, ByDay);
        Write(TableWriter.Mode.Append, 0, 72);

        var replaced = Write(TableWriter.Mode.OverwritePartitions, 30, 5);

        Assert.Equal(24 + 5 + 24, Count());
        Assert.Equal("53", replaced.Summary["total-records"]);
        Assert.Equal("24", replaced.Summary["deleted-records"]);
    }

    [Fact]
    public void Expire_KeepsTheNewestSnapshots_AndDeletesOnlyFilesNoSnapshotNeeds()
    {
        TableWriter.Create(TableDirectory, Schema, ByDay);
        var first = Write(TableWriter.Mode.Append, 0, 10);
        Write(TableWriter.Mode.Overwrite, 100, 10);
        var third = Write(TableWriter.Mode.Append, 200, 10);
        var parquetBefore = Directory.EnumerateFiles(TableDirectory, "*.parquet", SearchOption.AllDirectories).Count();

        var result = TableMaintenance.Expire(TableDirectory, keepLast: 2);

        var table = IcebergTable.Open(TableDirectory);
        Assert.Equal([first.SnapshotId], result.ExpiredSnapshots);
        Assert.Equal(2, table.Metadata.Snapshots.Count);
        Assert.Equal(third.SnapshotId, table.Metadata.CurrentSnapshotId);
        Assert.Equal(20, Count());
        Assert.Equal(parquetBefore - 1, Directory.EnumerateFiles(TableDirectory, "*.parquet", SearchOption.AllDirectories).Count());
        Assert.Throws<IcebergFormatException>(() => table.Metadata.SnapshotById(first.SnapshotId));
    }

    [Fact]
    public void RemoveOrphans_DeletesWhatFailedCommitsLeft_AndNothingReferenced()
    {
        TableWriter.Create(TableDirectory, Schema, ByDay);
        Write(TableWriter.Mode.Append, 0, 10);
        ParquetDataWriter.Write(_duck.Connection, Rows(500, 40), Schema, ByDay, Path.Combine(TableDirectory, "data", "crashed"));
        var stray = IcebergTable.MetadataFile(TableDirectory, 3) + ".abc.tmp";
        File.WriteAllText(stray, "{");

        var removed = TableMaintenance.RemoveOrphans(TableDirectory, DateTimeOffset.UtcNow.AddMinutes(1));

        Assert.Contains(stray, removed);
        Assert.Contains(removed, f => f.Contains("/crashed/", StringComparison.Ordinal));
        Assert.DoesNotContain(removed, f => f.Contains("/crashed/", StringComparison.Ordinal) is false && f.EndsWith(".parquet", StringComparison.Ordinal));
        Assert.Equal(10, Count());
    }

    [Fact]
    public void Plan_WithRanges_SkipsFilesByPartitionAndByColumnBounds_ReadingTheSameRows()
    {
        TableWriter.Create(TableDirectory, Schema, ByDay);
        Write(TableWriter.Mode.Append, 0, 72);
        var table = IcebergTable.Open(TableDirectory);
        var snapshot = table.Metadata.CurrentSnapshot;
        var secondDay = new ScanFilter([new ColumnRange("shown_at", new DateTimeOffset(2026, 1, 2, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 1, 2, 23, 0, 0, TimeSpan.Zero))]);
        var ids = new ScanFilter([new ColumnRange("id", 50L, 60L)]);
        var names = new ScanFilter([new ColumnRange("name", "zzz", null)]);

        var byDay = ScanPlanner.Plan(table, snapshot, secondDay);
        var byId = ScanPlanner.Plan(table, snapshot, ids);
        var byName = ScanPlanner.Plan(table, snapshot, names);
        var everything = ScanPlanner.Plan(table, snapshot);

        Assert.Equal(3, everything.Tasks.Count);
        Assert.Equal(20455, (int)Assert.Single(byDay.Tasks).DataFile.Partition["shown_at_day"]!);
        Assert.Equal(20456, (int)Assert.Single(byId.Tasks).DataFile.Partition["shown_at_day"]!);
        Assert.Empty(byName.Tasks);
        const string Where = "WHERE id BETWEEN 50 AND 60";
        Assert.Equal(
            _duck.Scalar($"SELECT sum(id) FROM ({DuckDbScan.Sql(everything)}) {Where}"),
            _duck.Scalar($"SELECT sum(id) FROM ({DuckDbScan.Sql(byId)}) {Where}"));
    }

    [Fact]
    public void SnapshotAsOf_FindsTheSnapshotCurrentAtThatTime()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        TableWriter.Create(TableDirectory, Schema, ByDay, time: clock);
        var schema = IcebergTable.Open(TableDirectory).Metadata.CurrentSchema;
        var first = TableWriter.Commit(TableDirectory, TableWriter.Mode.Append,
            ParquetDataWriter.Write(_duck.Connection, Rows(0, 5), schema, ByDay, Path.Combine(TableDirectory, "data", "a")), clock);
        clock.Advance(TimeSpan.FromHours(2));
        var second = TableWriter.Commit(TableDirectory, TableWriter.Mode.Append,
            ParquetDataWriter.Write(_duck.Connection, Rows(5, 5), schema, ByDay, Path.Combine(TableDirectory, "data", "b")), clock);
        var metadata = IcebergTable.Open(TableDirectory).Metadata;

        Assert.Null(metadata.SnapshotAsOf(new DateTimeOffset(2026, 5, 1, 11, 0, 0, TimeSpan.Zero)));
        Assert.Equal(first.SnapshotId, metadata.SnapshotAsOf(new DateTimeOffset(2026, 5, 1, 13, 0, 0, TimeSpan.Zero))!.SnapshotId);
        Assert.Equal(second.SnapshotId, metadata.SnapshotAsOf(new DateTimeOffset(2026, 5, 2, 0, 0, 0, TimeSpan.Zero))!.SnapshotId);
        Assert.Equal(5, Count(metadata.SnapshotAsOf(new DateTimeOffset(2026, 5, 1, 13, 0, 0, TimeSpan.Zero))));
    }
}
