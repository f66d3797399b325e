using System.Text.Json.Nodes;
using MeshInABox.Iceberg.Manifests;

namespace MeshInABox.Iceberg.Writing;

/// <summary>Snapshot expiry and removal of files no snapshot references (the leftovers of failed commits).</summary>
public static class TableMaintenance
{
    public sealed record ExpiryResult(IReadOnlyList<long> ExpiredSnapshots, int DeletedFiles);

    /// <summary>
    /// Keeps the current snapshot, the newest <paramref name="keepLast"/>, and those
    /// taken at or after <paramref name="olderThan"/>; drops the rest from the
    /// metadata, then deletes the files only they referenced.
    /// </summary>
    public static ExpiryResult Expire(string directory, int? keepLast, DateTimeOffset? olderThan = null, TimeProvider? time = null)
    {
        if (keepLast is < 1 || (keepLast is null && olderThan is null))
        {
            throw new ArgumentOutOfRangeException(nameof(keepLast), "Say what to keep: at least one snapshot, or a time window.");
        }

        var clock = time ?? TimeProvider.System;
        for (var attempt = 1; attempt <= TableWriter.MaxCommitAttempts; attempt++)
        {
            var table = IcebergTable.Open(directory);
            var metadata = table.Metadata;
            var ordered = metadata.Snapshots.OrderByDescending(s => s.SequenceNumber).ToList();
            var keep = ordered
                .Where((s, i) => s.SnapshotId == metadata.CurrentSnapshotId
                    || (keepLast is { } n && i < n)
                    || (olderThan is { } t && s.Timestamp >= t))
                .Select(s => s.SnapshotId).ToHashSet();
            var expired = ordered.Where(s => !keep.Contains(s.SnapshotId)).ToList();
            if (expired.Count == 0)
            {
                return new ExpiryResult([], 0);
            }

            var before = ReferencedFiles(table, metadata.Snapshots);
            var next = metadata.Document.DeepClone().AsObject();
            next["snapshots"] = new JsonArray([.. ((JsonArray)next["snapshots"]!).Where(s => keep.Contains(s!["snapshot-id"]!.GetValue<long>())).Select(s => s!.DeepClone())]);
            next["snapshot-log"] = new JsonArray([.. ((JsonArray?)next["snapshot-log"] ?? []).Where(s => keep.Contains(s!["snapshot-id"]!.GetValue<long>())).Select(s => s!.DeepClone())]);
            next["last-updated-ms"] = clock.GetUtcNow().ToUnixTimeMilliseconds();
            if (!TableWriter.TryCommit(table, next))
            {
                continue;
            }

            var after = ReferencedFiles(table, metadata.Snapshots.Where(s => keep.Contains(s.SnapshotId)));
            var deleted = 0;
            foreach (var file in before.Except(after))
            {
                if (File.Exists(file))
                {
                    File.Delete(file);
                    deleted++;
                }
            }

            return new ExpiryResult([.. expired.Select(s => s.SnapshotId)], deleted);
        }

        throw new IcebergCommitException($"Could not expire snapshots of {directory}: other writers kept committing.");
    }

    /// <summary>
    /// Deletes data and metadata files no snapshot references and no metadata
    /// version names, if older than <paramref name="olderThan"/> (a running
    /// writer's files are young, so they are left alone).
    /// </summary>
    public static IReadOnlyList<string> RemoveOrphans(string directory, DateTimeOffset olderThan)
    {
        var table = IcebergTable.Open(directory);
        var referenced = ReferencedFiles(table, table.Metadata.Snapshots);
        var candidates = Directory.EnumerateFiles(Path.Combine(table.Directory, "data"), "*", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(table.MetadataDirectory).Where(f => f.EndsWith(".avro", StringComparison.Ordinal) || f.EndsWith(".tmp", StringComparison.Ordinal)));
        var removed = new List<string>();
        foreach (var file in candidates.Where(f => !referenced.Contains(f) && File.GetLastWriteTimeUtc(f) < olderThan.UtcDateTime))
        {
            File.Delete(file);
            removed.Add(file);
        }

        return removed;
    }

    private static HashSet<string> ReferencedFiles(IcebergTable table, IEnumerable<Metadata.Snapshot> snapshots)
    {
        var files = new HashSet<string>(StringComparer.Ordinal);
        foreach (var snapshot in snapshots)
        {
            var list = table.Resolve(snapshot.ManifestList);
            files.Add(list);
            foreach (var manifest in ManifestReader.ReadManifestList(list))
            {
                var path = table.Resolve(manifest.Path);
                files.Add(path);
                foreach (var entry in ManifestReader.ReadManifest(path, manifest).Where(e => e.Status != EntryStatus.Deleted))
                {
                    files.Add(table.Resolve(entry.File.FilePath));
                }
            }
        }

        return files;
    }
}
