using MeshInABox.Iceberg.Manifests;
using MeshInABox.Iceberg.Metadata;

namespace MeshInABox.Iceberg.Scanning;

/// <summary>One data file to read, with the delete files that apply to it.</summary>
public sealed record FileScanTask(ContentFile DataFile, string LocalPath, IReadOnlyList<(ContentFile File, string LocalPath)> PositionDeletes, IReadOnlyList<(ContentFile File, string LocalPath)> EqualityDeletes);

/// <summary>What a read of one snapshot must scan: its schema and the live data files with their deletes.</summary>
public sealed record ScanPlan(IcebergTable Table, Snapshot? Snapshot, IcebergSchema Schema, IReadOnlyList<FileScanTask> Tasks);

/// <summary>
/// Plans a snapshot's read per the Iceberg spec: live entries only; a position
/// delete applies to data files with a data sequence number at or below its own,
/// an equality delete to those strictly below, within its partition unless the
/// delete file is unpartitioned.
/// </summary>
public static class ScanPlanner
{
    /// <param name="filter">Ranges the query keeps: files that cannot match are left out of the plan.</param>
    public static ScanPlan Plan(IcebergTable table, Snapshot? snapshot, ScanFilter? filter = null)
    {
        var metadata = table.Metadata;
        // The current state reads with the current schema (renames and added columns apply);
        // time travel reads with the schema the snapshot was written with.
        var schema = snapshot is not null && snapshot.SnapshotId != metadata.CurrentSnapshotId && snapshot.SchemaId is { } id
            ? metadata.SchemaById(id)
            : metadata.CurrentSchema;
        if (snapshot is null)
        {
            return new ScanPlan(table, null, schema, []);
        }

        var entries = ManifestReader.ReadManifestList(table.Resolve(snapshot.ManifestList))
            .SelectMany(m => ManifestReader.ReadManifest(table.Resolve(m.Path), m))
            .Where(e => e.Status != EntryStatus.Deleted)
            .ToList();
        var deletes = entries.Where(e => e.File.Content != FileContent.Data).ToList();
        var tasks = new List<FileScanTask>();
        foreach (var data in entries.Where(e => e.File.Content == FileContent.Data
            && (filter ?? ScanFilter.None).MayMatch(e.File, schema, metadata.SpecById(e.File.SpecId))))
        {
            var positions = deletes
                .Where(d => d.File.Content == FileContent.PositionDeletes && d.DataSequenceNumber >= data.DataSequenceNumber && SamePartition(metadata, d.File, data.File))
                .Select(d => (d.File, table.Resolve(d.File.FilePath)))
                .ToList();
            var equalities = deletes
                .Where(d => d.File.Content == FileContent.EqualityDeletes && d.DataSequenceNumber > data.DataSequenceNumber
                    && (metadata.SpecById(d.File.SpecId).IsUnpartitioned || SamePartition(metadata, d.File, data.File)))
                .Select(d => (d.File, table.Resolve(d.File.FilePath)))
                .ToList();
            tasks.Add(new FileScanTask(data.File, table.Resolve(data.File.FilePath), positions, equalities));
        }

        return new ScanPlan(table, snapshot, schema, tasks);
    }

    private static bool SamePartition(TableMetadata metadata, ContentFile delete, ContentFile data) =>
        delete.SpecId == data.SpecId
            ? delete.Partition.Count == data.Partition.Count && delete.Partition.All(kv => data.Partition.TryGetValue(kv.Key, out var v) && Equals(kv.Value, v))
            : metadata.SpecById(delete.SpecId).IsUnpartitioned;
}
