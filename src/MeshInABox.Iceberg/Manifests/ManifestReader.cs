using Avro.File;
using Avro.Generic;

namespace MeshInABox.Iceberg.Manifests;

/// <summary>Reads manifest lists and manifests (Avro, with the field names of the Iceberg spec, v1 and v2).</summary>
public static class ManifestReader
{
    public static IReadOnlyList<ManifestFile> ReadManifestList(string path)
    {
        using var reader = Open(path);
        var manifests = new List<ManifestFile>();
        foreach (var record in reader.NextEntries)
        {
            manifests.Add(new ManifestFile(
                (string)record["manifest_path"],
                (long)record["manifest_length"],
                (int)record["partition_spec_id"],
                (ManifestContent)(Optional<int>(record, "content") ?? 0),
                Optional<long>(record, "sequence_number") ?? 0,
                Optional<long>(record, "min_sequence_number") ?? 0,
                Optional<long>(record, "added_snapshot_id") ?? 0));
        }

        return manifests;
    }

    /// <param name="manifest">Its entry in the manifest list: added files inherit its sequence number.</param>
    public static IReadOnlyList<ManifestEntry> ReadManifest(string path, ManifestFile manifest)
    {
        using var reader = Open(path);
        var entries = new List<ManifestEntry>();
        foreach (var record in reader.NextEntries)
        {
            var status = (EntryStatus)(int)record["status"];
            var sequence = Optional<long>(record, "sequence_number");
            // Spec: a null data sequence number on an ADDED entry is inherited from the manifest.
            var dataSequence = sequence ?? (status == EntryStatus.Added || manifest.SequenceNumber > 0 ? manifest.SequenceNumber : 0);
            var file = (GenericRecord)record["data_file"];
            entries.Add(new ManifestEntry(
                status,
                Optional<long>(record, "snapshot_id"),
                dataSequence,
                // Inherited like the data sequence number, so a rewritten entry (EXISTING, DELETED) carries both explicitly.
                Optional<long>(record, "file_sequence_number") ?? dataSequence,
                new ContentFile(
                    (FileContent)(Optional<int>(file, "content") ?? 0),
                    (string)file["file_path"],
                    (string)file["file_format"],
                    manifest.PartitionSpecId,
                    Partition(file),
                    (long)file["record_count"],
                    (long)file["file_size_in_bytes"],
                    LongMap(file, "value_counts"),
                    LongMap(file, "null_value_counts"),
                    BytesMap(file, "lower_bounds"),
                    BytesMap(file, "upper_bounds"),
                    file.TryGetValue("equality_ids", out var ids) && ids is object[] list ? [.. list.Cast<int>()] : [])));
        }

        return entries;
    }

    private static IFileReader<GenericRecord> Open(string path)
    {
        try
        {
            return DataFileReader<GenericRecord>.OpenReader(path);
        }
        catch (Exception error) when (error is IOException or Avro.AvroException)
        {
            throw new IcebergFormatException($"Cannot read Avro file {path}: {error.Message}", error);
        }
    }

    private static IReadOnlyDictionary<string, object?> Partition(GenericRecord file)
    {
        if (!file.TryGetValue("partition", out var value) || value is not GenericRecord partition)
        {
            return new Dictionary<string, object?>();
        }

        return partition.Schema.Fields.ToDictionary(f => f.Name, f => partition.TryGetValue(f.Name, out var v) ? v : null);
    }

    private static T? Optional<T>(GenericRecord record, string field)
        where T : struct =>
        record.TryGetValue(field, out var value) && value is T typed ? typed : null;

    // Iceberg writes int-keyed maps as arrays of {key, value} records.
    private static Dictionary<int, long> LongMap(GenericRecord file, string field) =>
        KeyValues(file, field).ToDictionary(kv => kv.Key, kv => (long)kv.Value!);

    private static Dictionary<int, byte[]> BytesMap(GenericRecord file, string field) =>
        KeyValues(file, field).ToDictionary(kv => kv.Key, kv => (byte[])kv.Value!);

    private static IEnumerable<KeyValuePair<int, object?>> KeyValues(GenericRecord file, string field) =>
        file.TryGetValue(field, out var value) && value is object[] items
            ? items.OfType<GenericRecord>().Select(r => new KeyValuePair<int, object?>((int)r["key"], r["value"]))
            : [];
}
