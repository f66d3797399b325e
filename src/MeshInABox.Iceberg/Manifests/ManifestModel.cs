namespace MeshInABox.Iceberg.Manifests;

public enum ManifestContent
{
    Data = 0,
    Deletes = 1,
}

public enum EntryStatus
{
    Existing = 0,
    Added = 1,
    Deleted = 2,
}

public enum FileContent
{
    Data = 0,
    PositionDeletes = 1,
    EqualityDeletes = 2,
}

/// <summary>One entry of a manifest list: a manifest and the snapshot facts readers need.</summary>
public sealed record ManifestFile(
    string Path, long Length, int PartitionSpecId, ManifestContent Content, long SequenceNumber, long MinSequenceNumber, long AddedSnapshotId);

/// <summary>One entry of a manifest: a data or delete file, whether it is live, and its data sequence number.</summary>
public sealed record ManifestEntry(EntryStatus Status, long? SnapshotId, long DataSequenceNumber, long? FileSequenceNumber, ContentFile File);

/// <summary>A data file or delete file with its partition values and column statistics (keyed by field id).</summary>
public sealed record ContentFile(
    FileContent Content,
    string FilePath,
    string FileFormat,
    int SpecId,
    IReadOnlyDictionary<string, object?> Partition,
    long RecordCount,
    long FileSizeInBytes,
    IReadOnlyDictionary<int, long> ValueCounts,
    IReadOnlyDictionary<int, long> NullValueCounts,
    IReadOnlyDictionary<int, byte[]> LowerBounds,
    IReadOnlyDictionary<int, byte[]> UpperBounds,
    IReadOnlyList<int> EqualityIds);
