using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using MeshInABox.Iceberg.Manifests;
using MeshInABox.Iceberg.Metadata;

namespace MeshInABox.Iceberg.Writing;

/// <summary>
/// Creates tables and commits new snapshots. A commit writes its manifests and
/// manifest list first, then creates the next <c>vN.metadata.json</c>
/// exclusively (only one writer can create version N), then moves the version
/// hint. A writer that loses the race rebuilds its snapshot on the new base and
/// tries again; after too many losses it fails, leaving only orphan files.
/// </summary>
public static class TableWriter
{
    public const int MaxCommitAttempts = 10;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static IcebergTable Create(string directory, IcebergSchema schema, PartitionSpec spec, IReadOnlyDictionary<string, string>? properties = null, TimeProvider? time = null)
    {
        var full = Path.GetFullPath(directory);
        Directory.CreateDirectory(Path.Combine(full, "metadata"));
        Directory.CreateDirectory(Path.Combine(full, "data"));
        var now = (time ?? TimeProvider.System).GetUtcNow().ToUnixTimeMilliseconds();
        var document = new JsonObject
        {
            ["format-version"] = 2,
            ["table-uuid"] = Guid.NewGuid().ToString(),
            ["location"] = full,
            ["last-sequence-number"] = 0,
            ["last-updated-ms"] = now,
            ["last-column-id"] = schema.Fields.Max(f => f.Id),
            ["current-schema-id"] = schema.SchemaId,
            ["schemas"] = new JsonArray(MetadataJson.Schema(schema)),
            ["default-spec-id"] = spec.SpecId,
            ["partition-specs"] = new JsonArray(MetadataJson.Spec(spec)),
            ["last-partition-id"] = spec.Fields.Count == 0 ? 999 : spec.Fields.Max(f => f.FieldId),
            ["default-sort-order-id"] = 0,
            ["sort-orders"] = new JsonArray(new JsonObject { ["order-id"] = 0, ["fields"] = new JsonArray() }),
            ["properties"] = new JsonObject((properties ?? new Dictionary<string, string>()).Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            ["current-snapshot-id"] = -1,
            ["refs"] = new JsonObject(),
            ["snapshots"] = new JsonArray(),
            ["snapshot-log"] = new JsonArray(),
            ["metadata-log"] = new JsonArray(),
        };
        var file = IcebergTable.MetadataFile(full, 1);
        if (!TryCreate(file, document))
        {
            throw new IcebergCommitException($"A table already exists in {full}.");
        }

        WriteHint(full, 1);
        return IcebergTable.Open(full);
    }

    public enum Mode
    {
        /// <summary>Add the files to the current snapshot's.</summary>
        Append,

        /// <summary>Replace every live file with the new ones.</summary>
        Overwrite,

        /// <summary>Replace the live files of the partitions the new files fall in; keep the others.</summary>
        OverwritePartitions,
    }

    /// <summary>Commits data files already written under the table's data/ as a new snapshot.</summary>
    /// <param name="properties">Extra snapshot summary entries (the spec allows any); the standard ones cannot be replaced.</param>
    public static Snapshot Commit(string directory, Mode mode, IReadOnlyList<ContentFile> files, TimeProvider? time = null, IReadOnlyDictionary<string, string>? properties = null)
    {
        var clock = time ?? TimeProvider.System;
        for (var attempt = 1; attempt <= MaxCommitAttempts; attempt++)
        {
            var table = IcebergTable.Open(directory);
            var metadata = table.Metadata;
            var parent = metadata.CurrentSnapshot;
            var snapshotId = NewSnapshotId();
            var sequence = metadata.LastSequenceNumber + 1;
            var schema = metadata.CurrentSchema;
            var spec = metadata.SpecById(metadata.DefaultSpecId);
            var manifests = new List<ManifestWriter.NewManifest>();

            if (files.Count > 0)
            {
                var path = Path.Combine(table.MetadataDirectory, $"{Guid.NewGuid()}-m0.avro");
                var length = ManifestWriter.WriteManifest(path, schema, spec, schema,
                    files.Select(f => new ManifestEntry(EntryStatus.Added, snapshotId, sequence, sequence, f)));
                manifests.Add(new(path, length, spec.SpecId, ManifestContent.Data, sequence, sequence, snapshotId, files.Count, 0, 0, files.Sum(f => f.RecordCount), 0, 0));
            }

            long removedRows = 0;
            var removedFiles = 0;
            if (mode != Mode.Append && parent is not null)
            {
                // Record what this snapshot removed (DELETED) and, for a partition overwrite, what it kept
                // (EXISTING), so engines that read changes between snapshots see exactly that.
                var live = LiveEntries(table, parent);
                var replaced = files.Select(f => PartitionKey(f.Partition)).ToHashSet();
                var removed = live.Where(e => mode == Mode.Overwrite || replaced.Contains(PartitionKey(e.File.Partition))).ToList();
                var kept = live.Except(removed).ToList();
                removedFiles = removed.Count;
                removedRows = removed.Sum(e => e.File.RecordCount);
                if (live.Count > 0)
                {
                    var path = Path.Combine(table.MetadataDirectory, $"{Guid.NewGuid()}-m1.avro");
                    var length = ManifestWriter.WriteManifest(path, schema, spec, schema,
                        removed.Select(e => e with { Status = EntryStatus.Deleted, SnapshotId = snapshotId })
                            .Concat(kept.Select(e => e with { Status = EntryStatus.Existing })));
                    manifests.Add(new(path, length, spec.SpecId, ManifestContent.Data, sequence, live.Min(e => e.DataSequenceNumber), snapshotId,
                        0, kept.Count, removed.Count, 0, kept.Sum(e => e.File.RecordCount), removedRows));
                }
            }

            var manifestList = Path.Combine(table.MetadataDirectory, $"snap-{snapshotId}-{attempt}-{Guid.NewGuid()}.avro");
            ManifestWriter.WriteManifestList(manifestList, snapshotId, parent?.SnapshotId, sequence, manifests,
                mode == Mode.Append && parent is not null ? table.Resolve(parent.ManifestList) : null);

            var previousTotal = parent is not null && parent.Summary.TryGetValue("total-records", out var total) ? long.Parse(total, CultureInfo.InvariantCulture) : 0;
            var added = files.Sum(f => f.RecordCount);
            var summary = new Dictionary<string, string>
            {
                ["operation"] = mode == Mode.Append ? "append" : "overwrite",
                ["replace-partitions"] = (mode == Mode.OverwritePartitions).ToString().ToLowerInvariant(),
                ["added-data-files"] = files.Count.ToString(CultureInfo.InvariantCulture),
                ["added-records"] = added.ToString(CultureInfo.InvariantCulture),
                ["deleted-data-files"] = removedFiles.ToString(CultureInfo.InvariantCulture),
                ["deleted-records"] = removedRows.ToString(CultureInfo.InvariantCulture),
                ["total-records"] = (previousTotal + added - removedRows).ToString(CultureInfo.InvariantCulture),
            };
            foreach (var (key, value) in properties ?? new Dictionary<string, string>())
            {
                summary.TryAdd(key, value);
            }

            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            var next = metadata.Document.DeepClone().AsObject();
            next["last-sequence-number"] = sequence;
            next["last-updated-ms"] = now;
            next["current-snapshot-id"] = snapshotId;
            ((JsonArray)next["snapshots"]!).Add(new JsonObject
            {
                ["sequence-number"] = sequence,
                ["snapshot-id"] = snapshotId,
                ["parent-snapshot-id"] = parent?.SnapshotId,
                ["timestamp-ms"] = now,
                ["summary"] = new JsonObject(summary.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
                ["manifest-list"] = manifestList,
                ["schema-id"] = schema.SchemaId,
            });
            SetCurrent(next, snapshotId, now);

            if (TryCommit(table, next))
            {
                return IcebergTable.Open(table.Directory).Metadata.SnapshotById(snapshotId);
            }

            // Lost the race: this attempt's manifest list and manifests are orphans for cleanup; try on the new base.
        }

        throw new IcebergCommitException($"Could not commit to {directory}: {MaxCommitAttempts} other writers committed first. Nothing was changed by this write.");
    }

    /// <summary>Sets the current snapshot back to an earlier one; history is kept (a new metadata version).</summary>
    public static void Rollback(string directory, long snapshotId, TimeProvider? time = null)
    {
        var clock = time ?? TimeProvider.System;
        for (var attempt = 1; attempt <= MaxCommitAttempts; attempt++)
        {
            var table = IcebergTable.Open(directory);
            table.Metadata.SnapshotById(snapshotId);
            var next = table.Metadata.Document.DeepClone().AsObject();
            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            next["current-snapshot-id"] = snapshotId;
            next["last-updated-ms"] = now;
            SetCurrent(next, snapshotId, now);
            if (TryCommit(table, next))
            {
                return;
            }
        }

        throw new IcebergCommitException($"Could not roll {directory} back: other writers kept committing.");
    }

    /// <summary>Adds optional fields as a new schema (ids after last-column-id); old files read them as null.</summary>
    public static IcebergSchema AddColumns(string directory, IReadOnlyList<(string Name, string Type)> columns, TimeProvider? time = null)
    {
        var clock = time ?? TimeProvider.System;
        for (var attempt = 1; attempt <= MaxCommitAttempts; attempt++)
        {
            var table = IcebergTable.Open(directory);
            var current = table.Metadata.CurrentSchema;
            var lastId = table.Metadata.Document["last-column-id"]!.GetValue<int>();
            var fields = current.Fields.Concat(columns.Select((c, i) => new NestedField(lastId + 1 + i, c.Name, false, c.Type))).ToList();
            var schema = new IcebergSchema(table.Metadata.Schemas.Max(s => s.SchemaId) + 1, fields);
            var next = table.Metadata.Document.DeepClone().AsObject();
            ((JsonArray)next["schemas"]!).Add(MetadataJson.Schema(schema));
            next["current-schema-id"] = schema.SchemaId;
            next["last-column-id"] = fields.Max(f => f.Id);
            next["last-updated-ms"] = clock.GetUtcNow().ToUnixTimeMilliseconds();
            if (TryCommit(table, next))
            {
                return schema;
            }
        }

        throw new IcebergCommitException($"Could not change the schema of {directory}: other writers kept committing.");
    }

    /// <summary>
    /// Sets and removes table properties as a new metadata version, committed like any other change (a writer that
    /// committed first wins and this one retries on its version). Properties already as wanted commit nothing.
    /// </summary>
    /// <param name="properties">Each property to set; a null value removes it.</param>
    /// <returns>The properties that were changed, in ordinal order; empty when all were already as wanted.</returns>
    public static IReadOnlyList<string> SetProperties(string directory, IReadOnlyDictionary<string, string?> properties, TimeProvider? time = null)
    {
        var clock = time ?? TimeProvider.System;
        for (var attempt = 1; attempt <= MaxCommitAttempts; attempt++)
        {
            var table = IcebergTable.Open(directory);
            var current = table.Metadata.Properties;
            var changed = properties.Where(kv => current.GetValueOrDefault(kv.Key) != kv.Value).Select(kv => kv.Key).Order(StringComparer.Ordinal).ToList();
            if (changed.Count == 0)
            {
                return [];
            }

            var next = table.Metadata.Document.DeepClone().AsObject();
            var wanted = next["properties"] as JsonObject ?? [];
            next["properties"] = wanted;
            foreach (var key in changed)
            {
                if (properties[key] is { } value)
                {
                    wanted[key] = value;
                }
                else
                {
                    wanted.Remove(key);
                }
            }

            next["last-updated-ms"] = clock.GetUtcNow().ToUnixTimeMilliseconds();
            if (TryCommit(table, next))
            {
                return changed;
            }
        }

        throw new IcebergCommitException($"Could not set the properties of {directory}: other writers kept committing.");
    }

    /// <summary>Commits a new metadata version built on <paramref name="table"/>; false when another writer got there first.</summary>
    internal static bool TryCommit(IcebergTable table, JsonObject next)
    {
        AppendMetadataLog(next, table);
        if (!TryCreate(IcebergTable.MetadataFile(table.Directory, table.Version + 1), next))
        {
            return false;
        }

        WriteHint(table.Directory, table.Version + 1);
        return true;
    }

    private static string PartitionKey(IReadOnlyDictionary<string, object?> partition) =>
        string.Join("\u001f", partition.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));

    internal static IReadOnlyList<ManifestEntry> LiveEntries(IcebergTable table, Snapshot snapshot) =>
        [.. ManifestReader.ReadManifestList(table.Resolve(snapshot.ManifestList))
            .SelectMany(m => ManifestReader.ReadManifest(table.Resolve(m.Path), m))
            .Where(e => e.Status != EntryStatus.Deleted)];

    private static void SetCurrent(JsonObject next, long snapshotId, long now)
    {
        next["refs"] = new JsonObject { ["main"] = new JsonObject { ["snapshot-id"] = snapshotId, ["type"] = "branch" } };
        ((JsonArray)(next["snapshot-log"] ??= new JsonArray())).Add(new JsonObject { ["timestamp-ms"] = now, ["snapshot-id"] = snapshotId });
    }

    private static void AppendMetadataLog(JsonObject next, IcebergTable table) =>
        ((JsonArray)(next["metadata-log"] ??= new JsonArray())).Add(new JsonObject
        {
            ["timestamp-ms"] = table.Metadata.Document["last-updated-ms"]!.GetValue<long>(),
            ["metadata-file"] = IcebergTable.MetadataFile(table.Directory, table.Version),
        });

    /// <summary>
    /// The commit's atomic step: the complete document is written to a private
    /// file, then linked into place only if no other writer has taken the name,
    /// so a crash never leaves a half-written version for readers to find.
    /// </summary>
    private static bool TryCreate(string path, JsonObject document) =>
        ExclusiveFile.TryCreate(path, JsonSerializer.SerializeToUtf8Bytes(document, Indented));

    private static void WriteHint(string directory, int version)
    {
        var hint = Path.Combine(directory, "metadata", "version-hint.text");
        var temporary = hint + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllText(temporary, version.ToString(CultureInfo.InvariantCulture));
        // A slower writer must not move the hint back to an older version.
        if (File.Exists(hint) && int.TryParse(File.ReadAllText(hint).Trim(), CultureInfo.InvariantCulture, out var current) && current > version)
        {
            File.Delete(temporary);
            return;
        }

        File.Move(temporary, hint, overwrite: true);
    }

    private static long NewSnapshotId() => RandomNumberGenerator.GetInt32(1, int.MaxValue) * (long)int.MaxValue + RandomNumberGenerator.GetInt32(int.MaxValue);
}
