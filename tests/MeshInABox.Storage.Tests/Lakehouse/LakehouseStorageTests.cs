using DuckDB.NET.Data;
using MeshInABox.Iceberg;
using MeshInABox.Iceberg.Scanning;
using MeshInABox.Iceberg.Writing;
using MeshInABox.Lakehouse.Engine.Ingest;
using MeshInABox.Lakehouse.Engine.Tables;
using MeshInABox.Storage.Lakehouse;
using MeshInABox.Storage.Provisioning;
using MeshInABox.Testing;

namespace MeshInABox.Storage.Tests.Lakehouse;

public sealed class LakehouseStorageTests : IDisposable
{
    private static readonly LakeTableName Table = LakeTableName.Parse("advertising.ad-impressions.impressions");
    private readonly string _root = TemporaryDirectory.Create("mesh-storage-lake-");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Lake(string name = "lake") => Path.Combine(_root, name);

    private static Task<ProvisioningReport> Run(LakehouseStorage storage, StorageTarget target) =>
        storage.ReconcileAsync(target, TestContext.Current.CancellationToken);

    private static Dictionary<string, string> Parameters(params (string Name, string Value)[] parameters) =>
        parameters.ToDictionary(p => p.Name, p => p.Value);

    [Fact]
    public async Task Reconcile_NewOutput_CreatesFolderTableAndPropertiesThenChangesNothing()
    {
        var storage = new LakehouseStorage(Lake());
        var target = Targets.Impressions("lakehouse", Parameters(("retention", "30d")));

        var first = await Run(storage, target);
        var second = await Run(storage, target);

        Assert.Equal([("namespace", StepOutcome.Changed), ("table", StepOutcome.Changed), ("properties", StepOutcome.Changed)],
            first.Steps.Select(s => (s.Step, s.Outcome)));
        Assert.Equal(0, second.Changes);
        Assert.All(second.Steps, s => Assert.Equal(StepOutcome.Unchanged, s.Outcome));
        Assert.Equal("advertising/ad-impressions/impressions", second.Location!["table"]);
        var metadata = IcebergTable.Open(Path.Combine(Lake(), "advertising", "ad-impressions", "impressions")).Metadata;
        Assert.Equal("2592000000", metadata.Document["properties"]![LakehouseStorage.MaxSnapshotAgeProperty]!.GetValue<string>());
        Assert.Equal("team-gray", metadata.Document["properties"]![LakehouseStorage.OwnerProperty]!.GetValue<string>());
        Assert.Equal(["impression_id", "shown_at", "campaign_id", "title_id", "placement", "audience_segment", "clicked", "cost_eur"],
            metadata.CurrentSchema.Fields.Select(f => f.Name));
        Assert.True(metadata.SpecById(metadata.DefaultSpecId).IsUnpartitioned);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Reconcile_StoppedAfterAStep_TheNextRunEndsWhereAnUninterruptedOneDoes(int stopAfter)
    {
        var target = Targets.Impressions("lakehouse", Parameters(("partitionBy", "day"), ("retention", "12h")));
        var whole = await Run(new LakehouseStorage(Lake("whole")), target);
        var stopped = await Run(new LakehouseStorage(Lake("stopped")) { StopAfter = stopAfter }, target);

        var resumed = await Run(new LakehouseStorage(Lake("stopped")), target);

        Assert.Equal(stopAfter, stopped.Steps.Count);
        Assert.Null(stopped.Location);
        Assert.Equal(whole.Steps.Skip(stopAfter).Select(s => s.Outcome), resumed.Steps.Skip(stopAfter).Select(s => s.Outcome));
        Assert.Equal(whole.Location, resumed.Location);
        Assert.Equal(State(Lake("whole")), State(Lake("stopped")));
    }

    [Fact]
    public async Task Reconcile_TableLeftWithoutItsVersionHint_IsRepairedAndConverges()
    {
        var target = Targets.Impressions("lakehouse");
        await Run(new LakehouseStorage(Lake("whole")), target);
        await Run(new LakehouseStorage(Lake("died")) { StopAfter = 2 }, target);
        // What TableWriter.Create leaves when it dies between its commit and the hint.
        File.Delete(Path.Combine(Table.DirectoryIn(Lake("died")), "metadata", "version-hint.text"));

        var resumed = await Run(new LakehouseStorage(Lake("died")), target);

        Assert.Equal([StepOutcome.Unchanged, StepOutcome.Unchanged, StepOutcome.Changed], resumed.Steps.Select(s => s.Outcome));
        Assert.Equal(State(Lake("whole")), State(Lake("died")));
    }

    [Fact]
    public async Task Reconcile_ContractAddsAnOptionalColumn_TheTableGainsItAndOldRowsReadNull()
    {
        var storage = new LakehouseStorage(Lake());
        await Run(storage, Targets.Impressions("lakehouse"));
        Ingest(Lake(), Targets.Contract());
        var withDevice = Targets.Contract(AddProperty("device", required: false));

        var evolved = await Run(storage, Targets.Impressions("lakehouse", contract: withDevice));
        var again = await Run(storage, Targets.Impressions("lakehouse", contract: withDevice));

        var table = evolved.Steps.Single(s => s.Step == "table");
        Assert.Equal(StepOutcome.Changed, table.Outcome);
        Assert.Contains("device", table.Detail);
        Assert.Equal(0, again.Changes);
        Assert.Equal("3|3", Scalar($"SELECT count(*) || '|' || count(*) FILTER (WHERE device IS NULL) FROM ({TableSql(Lake())})"));
    }

    [Fact]
    public async Task Reconcile_ContractAddsARequiredColumnOrRetypesOne_FailsWithTheReasonAndChangesNothing()
    {
        var storage = new LakehouseStorage(Lake());
        await Run(storage, Targets.Impressions("lakehouse"));
        var before = State(Lake());

        var required = await Run(storage, Targets.Impressions("lakehouse", contract: Targets.Contract(AddProperty("device", required: true))));
        var retyped = await Run(storage, Targets.Impressions("lakehouse",
            contract: Targets.Contract(c => c.Replace("      - name: cost_eur\n        logicalType: number", "      - name: cost_eur\n        logicalType: string"))));

        Assert.True(required.Failed);
        Assert.Null(required.Location);
        Assert.Contains("column 'device' is new and required", required.Steps.Single(s => s.Step == "table").Detail);
        Assert.True(retyped.Failed);
        Assert.Contains("column 'cost_eur' is double in the table but string in the contract", retyped.Steps.Single(s => s.Step == "table").Detail);
        Assert.DoesNotContain(retyped.Steps, s => s.Step == "properties");
        Assert.Equal(before, State(Lake()));
    }

    [Fact]
    public async Task Reconcile_PartitioningChangedOnAnExistingTable_FailsInsteadOfRewriting()
    {
        var storage = new LakehouseStorage(Lake());
        var daily = await Run(storage, Targets.Impressions("lakehouse", Parameters(("partitionBy", "day"))));

        var monthly = await Run(storage, Targets.Impressions("lakehouse", Parameters(("partitionBy", "month"))));

        Assert.Contains("partitioned by day(shown_at)", daily.Steps.Single(s => s.Step == "table").Detail);
        var failed = monthly.Steps.Single(s => s.Step == "table");
        Assert.Equal(StepOutcome.Failed, failed.Outcome);
        Assert.Contains("is partitioned by day(shown_at), but the output declares partitioned by month(shown_at)", failed.Detail);
    }

    [Fact]
    public async Task Reconcile_RetentionChangedThenLeftOut_ThePropertyFollows()
    {
        var storage = new LakehouseStorage(Lake());
        await Run(storage, Targets.Impressions("lakehouse", Parameters(("retention", "30d"))));

        var changed = await Run(storage, Targets.Impressions("lakehouse", Parameters(("retention", "7d"))));
        var removed = await Run(storage, Targets.Impressions("lakehouse"));

        Assert.Equal(1, changed.Changes);
        Assert.Contains($"{LakehouseStorage.MaxSnapshotAgeProperty}=604800000", changed.Steps[^1].Detail);
        Assert.Equal(1, removed.Changes);
        var properties = IcebergTable.Open(Table.DirectoryIn(Lake())).Metadata.Document["properties"]!.AsObject();
        Assert.False(properties.ContainsKey(LakehouseStorage.MaxSnapshotAgeProperty));
    }

    [Fact]
    public async Task Reconcile_TableAnIngestCreated_IsTakenAsItIs()
    {
        Ingest(Lake(), Targets.Contract(), StorageTemplates.Daily);

        var report = await Run(new LakehouseStorage(Lake()), Targets.Impressions("lakehouse", Parameters(("partitionBy", "day"))));

        Assert.Equal([StepOutcome.Unchanged, StepOutcome.Unchanged, StepOutcome.Changed], report.Steps.Select(s => s.Outcome));
    }

    [Fact]
    public void Check_BadParameters_AreRefusedOneByOne()
    {
        var storage = new LakehouseStorage(Lake());

        var errors = storage.Check(Targets.Spec("lakehouse", ("partitionBy", "week"), ("retention", "30 days"), ("format", "delta")));

        Assert.Equal(
            [
                "format: not a parameter of the lakehouse template; it takes partitionBy, retention.",
                "partitionBy: 'week' is not a partitioning; use day, month or none (left out: the contract's partitioned properties).",
                "retention: '30 days' is not how long to keep old snapshots; use days or hours, e.g. 30d or 12h.",
            ],
            errors);
        Assert.Empty(storage.Check(Targets.Spec("lakehouse", ("partitionBy", "none"), ("retention", "12h"))));
    }

    [Fact]
    public async Task Reconcile_BadParameters_FailBeforeAnythingIsCreated()
    {
        var report = await Run(new LakehouseStorage(Lake()), Targets.Impressions("lakehouse", Parameters(("retention", "0d"))));

        Assert.Equal("parameters", Assert.Single(report.Steps).Step);
        Assert.True(report.Failed);
        Assert.False(Directory.Exists(Lake()));
    }

    [Fact]
    public async Task Archive_ThenRestoreElsewhere_ReadsTheSameRows()
    {
        var storage = new LakehouseStorage(Lake());
        await Run(storage, Targets.Impressions("lakehouse", Parameters(("partitionBy", "day"))));
        Ingest(Lake(), Targets.Contract());
        Ingest(Lake(), Targets.Contract(), first: 10);
        var archive = Path.Combine(_root, "archive", "advertising.ad-impressions.impressions");

        var manifest = await storage.ArchiveAsync(Table, archive, TestContext.Current.CancellationToken);
        var again = await storage.ArchiveAsync(Table, archive, TestContext.Current.CancellationToken);
        var restored = await LakeArchive.RestoreAsync(archive, Lake("restored"), TestContext.Current.CancellationToken);
        var restoredAgain = await LakeArchive.RestoreAsync(archive, Lake("restored"), TestContext.Current.CancellationToken);

        Assert.Equal(manifest, again with { Files = manifest.Files });
        Assert.Equal(manifest.Files, again.Files);
        Assert.Equal(IcebergTable.Open(Table.DirectoryIn(Lake())).Metadata.CurrentSnapshotId, manifest.SnapshotId);
        Assert.Contains(manifest.Files, f => f.Path.EndsWith(".parquet", StringComparison.Ordinal));
        Assert.All(manifest.Files, f => Assert.Equal(LakeIngest.Fingerprint(Path.Combine(archive, f.Path)), f.Sha256));
        Assert.Equal(Table.DirectoryIn(Lake("restored")), restored);
        Assert.Equal(restored, restoredAgain);
        var rows = "SELECT string_agg(impression_id || ':' || cost_eur, ',' ORDER BY impression_id) FROM ";
        Assert.Equal(Scalar(rows + $"({TableSql(Lake())})"), Scalar(rows + $"({TableSql(Lake("restored"))})"));
        Assert.Equal(6L, Scalar($"SELECT count(*) FROM ({TableSql(Lake("restored"))})"));
        Assert.Empty(Directory.EnumerateDirectories(Path.GetDirectoryName(archive)!, "*.partial-*"));
    }

    [Fact]
    public async Task Archive_AfterARunThatDiedWhileCopying_RemovesItsLeftoversAndWritesAWholeArchive()
    {
        var storage = new LakehouseStorage(Lake());
        await Run(storage, Targets.Impressions("lakehouse"));
        Ingest(Lake(), Targets.Contract());
        var archive = Path.Combine(_root, "archive", "impressions");
        var leftover = Directory.CreateDirectory(archive + ".partial-0123").FullName;
        File.WriteAllText(Path.Combine(leftover, "half.parquet"), "x");
        Directory.SetLastWriteTimeUtc(leftover, DateTime.UtcNow.AddHours(-2));

        var manifest = await storage.ArchiveAsync(Table, archive, TestContext.Current.CancellationToken);

        Assert.False(Directory.Exists(leftover));
        Assert.Equal(manifest.Files.Select(f => f.Path).Append(LakeArchive.ManifestFile).Order(StringComparer.Ordinal),
            Directory.EnumerateFiles(archive, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(archive, f)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Archive_FolderHoldsAnotherTablesArchive_IsRefused()
    {
        var storage = new LakehouseStorage(Lake());
        await Run(storage, Targets.Impressions("lakehouse"));
        var archive = Path.Combine(_root, "archive", "impressions");
        await storage.ArchiveAsync(Table, archive, TestContext.Current.CancellationToken);
        Ingest(Lake(), Targets.Contract());

        var error = await Assert.ThrowsAsync<MeshInABox.Lakehouse.Engine.LakehouseException>(
            () => storage.ArchiveAsync(Table, archive, TestContext.Current.CancellationToken));

        Assert.Contains("already holds an archive of advertising.ad-impressions.impressions (snapshot none)", error.Message);
    }

    [Fact]
    public async Task Restore_DamagedArchive_IsRefusedAndRestoresNothing()
    {
        var storage = new LakehouseStorage(Lake());
        await Run(storage, Targets.Impressions("lakehouse"));
        Ingest(Lake(), Targets.Contract());
        var archive = Path.Combine(_root, "archive", "impressions");
        var manifest = await storage.ArchiveAsync(Table, archive, TestContext.Current.CancellationToken);
        var data = Path.Combine(archive, manifest.Files.First(f => f.Path.EndsWith(".parquet", StringComparison.Ordinal)).Path);
        File.AppendAllText(data, "x");

        var error = await Assert.ThrowsAsync<MeshInABox.Lakehouse.Engine.LakehouseException>(
            () => LakeArchive.RestoreAsync(archive, Lake("restored"), TestContext.Current.CancellationToken));

        Assert.Contains("is damaged", error.Message);
        Assert.False(Directory.Exists(Lake("restored")));
    }

    /// <summary>What two runs must agree on: the metadata files, and the current metadata without its ids and times.</summary>
    private static string State(string lake)
    {
        var directory = Table.DirectoryIn(lake);
        if (!Directory.Exists(directory))
        {
            return Directory.Exists(Path.GetDirectoryName(directory)) ? "namespace only" : "nothing";
        }

        var files = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(directory, f)).Order(StringComparer.Ordinal);
        var document = IcebergTable.Open(directory).Metadata.Document.DeepClone().AsObject();
        foreach (var varying in new[] { "table-uuid", "location", "last-updated-ms", "metadata-log" })
        {
            document.Remove(varying);
        }

        return string.Join("\n", files) + "\n" + document.ToJsonString();
    }

    private static Func<string, string> AddProperty(string name, bool required) => c => c.Replace("version: 1.0.0", "version: 1.1.0")
        .Replace("      - name: cost_eur\n", $"      - name: {name}\n        logicalType: string\n        required: {(required ? "true" : "false")}\n        description: Device class.\n      - name: cost_eur\n");

    private void Ingest(string lake, MeshInABox.Domain.Contracts.DataContract contract, string? template = null, int first = 1)
    {
        var csv = Path.Combine(_root, $"rows-{Guid.NewGuid():N}.csv");
        File.WriteAllLines(csv,
        [
            "impression_id,shown_at,campaign_id,title_id,placement,audience_segment,clicked,cost_eur",
            $"{first},2026-01-01T10:00:00Z,c1,t1,pre-roll,s1,true,0.5",
            $"{first + 1},2026-01-02T11:00:00Z,c1,t2,mid-roll,s2,false,0.25",
            $"{first + 2},2026-02-03T12:00:00Z,c2,t1,banner,s1,false,1.75",
        ]);
        var result = LakeIngest.Run(csv, Table, contract, TableWriter.Mode.Append, lake, template);
        Assert.True(result.Committed, string.Join("\n", result.Violations.Select(v => v.Message)));
    }

    private static string TableSql(string lake)
    {
        var table = IcebergTable.Open(Table.DirectoryIn(lake));
        return DuckDbScan.Sql(ScanPlanner.Plan(table, table.Metadata.CurrentSnapshot));
    }

    private static object? Scalar(string sql)
    {
        using var duck = new DuckDBConnection("DataSource=:memory:");
        duck.Open();
        using var command = duck.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
