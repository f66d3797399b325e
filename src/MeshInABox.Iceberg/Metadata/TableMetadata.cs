using System.Text.Json;
using System.Text.Json.Nodes;

namespace MeshInABox.Iceberg.Metadata;

/// <summary>
/// A table's <c>vN.metadata.json</c> (Iceberg spec, format version 2). The
/// parsed document is kept whole so that a new version can be written from it
/// without dropping fields this model does not interpret.
/// </summary>
public sealed class TableMetadata
{
    private TableMetadata(JsonObject document)
    {
        Document = document;
        FormatVersion = Int(document, "format-version");
        Location = String(document, "location");
        LastSequenceNumber = Long(document, "last-sequence-number");
        CurrentSchemaId = Int(document, "current-schema-id");
        Schemas = [.. Array(document, "schemas").Select(s => IcebergSchema.Parse(s!.AsObject()))];
        PartitionSpecs = [.. Array(document, "partition-specs").Select(s => PartitionSpec.Parse(s!.AsObject()))];
        DefaultSpecId = Int(document, "default-spec-id");
        Snapshots = [.. OptionalArray(document, "snapshots").Select(s => Metadata.Snapshot.Parse(s!.AsObject()))];
        var current = document["current-snapshot-id"]?.GetValue<long>();
        CurrentSnapshotId = current is null or -1 ? null : current;
        Properties = (document["properties"] as JsonObject)?.ToDictionary(kv => kv.Key, kv => kv.Value?.GetValue<string>() ?? "", StringComparer.Ordinal)
            ?? new Dictionary<string, string>(StringComparer.Ordinal);
    }

    public JsonObject Document { get; }

    public int FormatVersion { get; }

    public string Location { get; }

    public long LastSequenceNumber { get; }

    public int CurrentSchemaId { get; }

    public IReadOnlyList<IcebergSchema> Schemas { get; }

    public IReadOnlyList<PartitionSpec> PartitionSpecs { get; }

    public int DefaultSpecId { get; }

    public IReadOnlyList<Snapshot> Snapshots { get; }

    public long? CurrentSnapshotId { get; }

    /// <summary>The table's properties (the spec's string-to-string map; empty when the metadata has none).</summary>
    public IReadOnlyDictionary<string, string> Properties { get; }

    public IcebergSchema CurrentSchema => SchemaById(CurrentSchemaId);

    public Snapshot? CurrentSnapshot => CurrentSnapshotId is { } id ? SnapshotById(id) : null;

    public IcebergSchema SchemaById(int id) =>
        Schemas.FirstOrDefault(s => s.SchemaId == id) ?? throw new IcebergFormatException($"The metadata has no schema {id}.");

    public PartitionSpec SpecById(int id) =>
        PartitionSpecs.FirstOrDefault(s => s.SpecId == id) ?? throw new IcebergFormatException($"The metadata has no partition spec {id}.");

    public Snapshot SnapshotById(long id) =>
        Snapshots.FirstOrDefault(s => s.SnapshotId == id) ?? throw new IcebergFormatException($"The table has no snapshot {id}.");

    /// <summary>The snapshot that was current at <paramref name="at"/> (time travel), or null before the first.</summary>
    public Snapshot? SnapshotAsOf(DateTimeOffset at)
    {
        var millis = at.ToUnixTimeMilliseconds();
        return Snapshots.Where(s => s.TimestampMs <= millis).MaxBy(s => (s.TimestampMs, s.SequenceNumber));
    }

    public static TableMetadata Parse(string json, string file)
    {
        try
        {
            var node = JsonNode.Parse(json) as JsonObject ?? throw new IcebergFormatException($"{file} is not a JSON object.");
            var metadata = new TableMetadata(node);
            return metadata.FormatVersion is 1 or 2
                ? metadata
                : throw new IcebergFormatException($"{file} has format-version {metadata.FormatVersion}; versions 1 and 2 are supported.");
        }
        catch (Exception error) when (error is JsonException or InvalidOperationException or FormatException)
        {
            throw new IcebergFormatException($"{file} is not Iceberg table metadata: {error.Message}", error);
        }
    }

    internal static string String(JsonObject node, string key) =>
        node[key]?.GetValue<string>() ?? throw new IcebergFormatException($"'{key}' is missing.");

    internal static int Int(JsonObject node, string key) =>
        node[key]?.GetValue<int>() ?? throw new IcebergFormatException($"'{key}' is missing.");

    internal static long Long(JsonObject node, string key) =>
        node[key]?.GetValue<long>() ?? throw new IcebergFormatException($"'{key}' is missing.");

    internal static JsonArray Array(JsonObject node, string key) =>
        node[key] as JsonArray ?? throw new IcebergFormatException($"'{key}' is missing.");

    internal static JsonArray OptionalArray(JsonObject node, string key) => node[key] as JsonArray ?? [];
}

/// <summary>A snapshot: the table's state after one commit, listed by its manifest list.</summary>
public sealed record Snapshot(long SnapshotId, long? ParentSnapshotId, long SequenceNumber, long TimestampMs, string ManifestList, int? SchemaId, IReadOnlyDictionary<string, string> Summary)
{
    public string Operation => Summary.GetValueOrDefault("operation", "");

    public DateTimeOffset Timestamp => DateTimeOffset.FromUnixTimeMilliseconds(TimestampMs);

    internal static Snapshot Parse(JsonObject node) => new(
        TableMetadata.Long(node, "snapshot-id"),
        node["parent-snapshot-id"]?.GetValue<long>(),
        node["sequence-number"]?.GetValue<long>() ?? 0,
        TableMetadata.Long(node, "timestamp-ms"),
        TableMetadata.String(node, "manifest-list"),
        node["schema-id"]?.GetValue<int>(),
        (node["summary"] as JsonObject)?.ToDictionary(kv => kv.Key, kv => kv.Value?.ToString() ?? "") ?? []);
}

/// <summary>How a table is partitioned: source column, transform, and the partition field's id.</summary>
public sealed record PartitionSpec(int SpecId, IReadOnlyList<PartitionField> Fields)
{
    public bool IsUnpartitioned => Fields.Count == 0;

    internal static PartitionSpec Parse(JsonObject node) => new(
        TableMetadata.Int(node, "spec-id"),
        [.. TableMetadata.Array(node, "fields").Select(f => f!.AsObject()).Select(f => new PartitionField(
            TableMetadata.String(f, "name"), TableMetadata.String(f, "transform"), TableMetadata.Int(f, "source-id"), TableMetadata.Int(f, "field-id")))]);
}

public sealed record PartitionField(string Name, string Transform, int SourceId, int FieldId);
