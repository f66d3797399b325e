using Avro;
using Avro.File;
using Avro.Generic;
using MeshInABox.Iceberg.Metadata;

namespace MeshInABox.Iceberg.Manifests;

/// <summary>
/// Writes manifests and manifest lists as Avro with the record, field names and
/// field ids the Iceberg spec (format v2) fixes, so any Iceberg reader can plan over them.
/// </summary>
public static class ManifestWriter
{
    /// <summary>Writes a manifest; returns its length in bytes, which the manifest list records.</summary>
    public static long WriteManifest(string path, IcebergSchema tableSchema, PartitionSpec spec, IcebergSchema schemaForPartition, IEnumerable<ManifestEntry> entries)
    {
        var partitionType = PartitionRecord(spec, schemaForPartition);
        var schema = (RecordSchema)Schema.Parse(ManifestEntrySchema(partitionType));
        var fileSchema = (RecordSchema)((RecordSchema)schema["data_file"].Schema)["partition"].Schema;
        var datum = new GenericDatumWriter<GenericRecord>(schema);
        using (var writer = DataFileWriter<GenericRecord>.OpenWriter(datum, path))
        {
            writer.SetMeta("schema", MetadataJson.Schema(tableSchema).ToJsonString());
            writer.SetMeta("schema-id", tableSchema.SchemaId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            writer.SetMeta("partition-spec", MetadataJson.SpecFields(spec).ToJsonString());
            writer.SetMeta("partition-spec-id", spec.SpecId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            writer.SetMeta("format-version", "2");
            writer.SetMeta("content", entries.Any(e => e.File.Content != FileContent.Data) ? "deletes" : "data");
            foreach (var entry in entries)
            {
                writer.Append(Entry(schema, fileSchema, spec, entry));
            }
        }

        return new FileInfo(path).Length;
    }

    /// <summary>A manifest list entry for a manifest this writer produced.</summary>
    public sealed record NewManifest(
        string Path, long Length, int SpecId, ManifestContent Content, long SequenceNumber, long MinSequenceNumber, long AddedSnapshotId,
        int AddedFiles, int ExistingFiles, int DeletedFiles, long AddedRows, long ExistingRows, long DeletedRows);

    /// <summary>
    /// Writes a snapshot's manifest list: the new manifests plus, verbatim, the
    /// entries of manifests carried over from the parent snapshot.
    /// </summary>
    public static void WriteManifestList(string path, long snapshotId, long? parentSnapshotId, long sequenceNumber, IEnumerable<NewManifest> added, string? carryOverFrom)
    {
        var schema = (RecordSchema)Schema.Parse(ManifestFileSchema);
        var datum = new GenericDatumWriter<GenericRecord>(schema);
        using var writer = DataFileWriter<GenericRecord>.OpenWriter(datum, path);
        writer.SetMeta("snapshot-id", snapshotId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        writer.SetMeta("parent-snapshot-id", parentSnapshotId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null");
        writer.SetMeta("sequence-number", sequenceNumber.ToString(System.Globalization.CultureInfo.InvariantCulture));
        writer.SetMeta("format-version", "2");
        foreach (var manifest in added)
        {
            var record = new GenericRecord(schema);
            record.Add("manifest_path", manifest.Path);
            record.Add("manifest_length", manifest.Length);
            record.Add("partition_spec_id", manifest.SpecId);
            record.Add("content", (int)manifest.Content);
            record.Add("sequence_number", manifest.SequenceNumber);
            record.Add("min_sequence_number", manifest.MinSequenceNumber);
            record.Add("added_snapshot_id", manifest.AddedSnapshotId);
            record.Add("added_files_count", manifest.AddedFiles);
            record.Add("existing_files_count", manifest.ExistingFiles);
            record.Add("deleted_files_count", manifest.DeletedFiles);
            record.Add("added_rows_count", manifest.AddedRows);
            record.Add("existing_rows_count", manifest.ExistingRows);
            record.Add("deleted_rows_count", manifest.DeletedRows);
            record.Add("partitions", null);
            record.Add("key_metadata", null);
            writer.Append(record);
        }

        if (carryOverFrom is not null)
        {
            using var previous = DataFileReader<GenericRecord>.OpenReader(carryOverFrom, schema);
            foreach (var record in previous.NextEntries)
            {
                writer.Append(record);
            }
        }
    }

    private static GenericRecord Entry(RecordSchema schema, RecordSchema partitionSchema, PartitionSpec spec, ManifestEntry entry)
    {
        var fileRecordSchema = (RecordSchema)schema["data_file"].Schema;
        var file = new GenericRecord(fileRecordSchema);
        var partition = new GenericRecord(partitionSchema);
        foreach (var field in spec.Fields)
        {
            var value = entry.File.Partition.GetValueOrDefault(field.Name);
            // Apache.Avro holds the date logical type as DateTime; the table keeps days since 1970-01-01.
            var isDate = partitionSchema[field.Name].Schema is UnionSchema union && union.Schemas.Any(s => s is LogicalSchema { LogicalTypeName: "date" });
            partition.Add(field.Name, isDate && value is int days ? DateTime.UnixEpoch.AddDays(days) : value);
        }

        file.Add("content", (int)entry.File.Content);
        file.Add("file_path", entry.File.FilePath);
        file.Add("file_format", entry.File.FileFormat);
        file.Add("partition", partition);
        file.Add("record_count", entry.File.RecordCount);
        file.Add("file_size_in_bytes", entry.File.FileSizeInBytes);
        file.Add("column_sizes", null);
        file.Add("value_counts", Pairs(fileRecordSchema, "value_counts", entry.File.ValueCounts));
        file.Add("null_value_counts", Pairs(fileRecordSchema, "null_value_counts", entry.File.NullValueCounts));
        file.Add("nan_value_counts", null);
        file.Add("lower_bounds", Pairs(fileRecordSchema, "lower_bounds", entry.File.LowerBounds));
        file.Add("upper_bounds", Pairs(fileRecordSchema, "upper_bounds", entry.File.UpperBounds));
        file.Add("key_metadata", null);
        file.Add("split_offsets", null);
        file.Add("equality_ids", entry.File.EqualityIds.Count == 0 ? null : entry.File.EqualityIds.Cast<object>().ToArray());
        file.Add("sort_order_id", null);

        var record = new GenericRecord(schema);
        record.Add("status", (int)entry.Status);
        record.Add("snapshot_id", entry.SnapshotId);
        // Null sequence numbers on ADDED entries are inherited from the manifest list (spec: sequence number inheritance).
        record.Add("sequence_number", entry.Status == EntryStatus.Added ? null : entry.DataSequenceNumber);
        record.Add("file_sequence_number", entry.Status == EntryStatus.Added ? null : entry.FileSequenceNumber);
        record.Add("data_file", file);
        return record;
    }

    private static object[]? Pairs<T>(RecordSchema fileSchema, string field, IReadOnlyDictionary<int, T> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        var union = (UnionSchema)fileSchema[field].Schema;
        var array = (ArraySchema)union.Schemas.First(s => s is ArraySchema);
        var pair = (RecordSchema)array.ItemSchema;
        return [.. values.OrderBy(kv => kv.Key).Select(kv =>
        {
            var record = new GenericRecord(pair);
            record.Add("key", kv.Key);
            record.Add("value", kv.Value);
            return (object)record;
        })];
    }

    /// <summary>The r102 partition record: one optional field per partition field, typed by its transform's result.</summary>
    private static string PartitionRecord(PartitionSpec spec, IcebergSchema schema)
    {
        var fields = spec.Fields.Select(f =>
        {
            var source = schema.Field(f.SourceId);
            var avroType = Transforms.ResultAvroType(f.Transform, source.Type);
            return $$"""{"name":{{Json(f.Name)}},"type":["null",{{avroType}}],"default":null,"field-id":{{f.FieldId}}}""";
        });
        return $$"""{"type":"record","name":"r102","fields":[{{string.Join(",", fields)}}]}""";
    }

    private static string Json(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    private static string Map(string name, int id, int keyId, int valueId, string valueType) =>
        $$"""{"name":"{{name}}","type":["null",{"type":"array","items":{"type":"record","name":"k{{keyId}}_v{{valueId}}","fields":[{"name":"key","type":"int","field-id":{{keyId}}},{"name":"value","type":"{{valueType}}","field-id":{{valueId}}}]},"logicalType":"map"}],"default":null,"field-id":{{id}}}""";

    private static string ManifestEntrySchema(string partitionType) => $$"""
        {"type":"record","name":"manifest_entry","fields":[
          {"name":"status","type":"int","field-id":0},
          {"name":"snapshot_id","type":["null","long"],"default":null,"field-id":1},
          {"name":"sequence_number","type":["null","long"],"default":null,"field-id":3},
          {"name":"file_sequence_number","type":["null","long"],"default":null,"field-id":4},
          {"name":"data_file","type":{"type":"record","name":"r2","fields":[
            {"name":"content","type":"int","field-id":134},
            {"name":"file_path","type":"string","field-id":100},
            {"name":"file_format","type":"string","field-id":101},
            {"name":"partition","type":{{partitionType}},"field-id":102},
            {"name":"record_count","type":"long","field-id":103},
            {"name":"file_size_in_bytes","type":"long","field-id":104},
            {{Map("column_sizes", 108, 117, 118, "long")}},
            {{Map("value_counts", 109, 119, 120, "long")}},
            {{Map("null_value_counts", 110, 121, 122, "long")}},
            {{Map("nan_value_counts", 137, 138, 139, "long")}},
            {{Map("lower_bounds", 125, 126, 127, "bytes")}},
            {{Map("upper_bounds", 128, 129, 130, "bytes")}},
            {"name":"key_metadata","type":["null","bytes"],"default":null,"field-id":131},
            {"name":"split_offsets","type":["null",{"type":"array","items":"long","element-id":133}],"default":null,"field-id":132},
            {"name":"equality_ids","type":["null",{"type":"array","items":"int","element-id":136}],"default":null,"field-id":135},
            {"name":"sort_order_id","type":["null","int"],"default":null,"field-id":140}
          ]},"field-id":2}
        ]}
        """;

    private const string ManifestFileSchema = """
        {"type":"record","name":"manifest_file","fields":[
          {"name":"manifest_path","type":"string","field-id":500},
          {"name":"manifest_length","type":"long","field-id":501},
          {"name":"partition_spec_id","type":"int","field-id":502},
          {"name":"content","type":"int","field-id":517},
          {"name":"sequence_number","type":"long","field-id":515},
          {"name":"min_sequence_number","type":"long","field-id":516},
          {"name":"added_snapshot_id","type":"long","field-id":503},
          {"name":"added_files_count","type":"int","field-id":504},
          {"name":"existing_files_count","type":"int","field-id":505},
          {"name":"deleted_files_count","type":"int","field-id":506},
          {"name":"added_rows_count","type":"long","field-id":512},
          {"name":"existing_rows_count","type":"long","field-id":513},
          {"name":"deleted_rows_count","type":"long","field-id":514},
          {"name":"partitions","type":["null",{"type":"array","items":{"type":"record","name":"r508","fields":[
            {"name":"contains_null","type":"boolean","field-id":509},
            {"name":"contains_nan","type":["null","boolean"],"default":null,"field-id":518},
            {"name":"lower_bound","type":["null","bytes"],"default":null,"field-id":510},
            {"name":"upper_bound","type":["null","bytes"],"default":null,"field-id":511}
          ]},"element-id":508}],"default":null,"field-id":507},
          {"name":"key_metadata","type":["null","bytes"],"default":null,"field-id":519}
        ]}
        """;
}
