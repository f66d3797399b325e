using System.Text.Json;

namespace MeshInABox.Registry.OpenLineage;

/// <summary>The three kinds of OpenLineage 2-0-2 events: a run of a job, a job's definition, a dataset's static facets.</summary>
public enum LineageEventKind
{
    Run,
    Job,
    Dataset,
}

/// <summary>A dataset as OpenLineage names it: a namespace (where it lives) and a name within it.</summary>
public sealed record LineageDataset(string Namespace, string Name);

/// <summary>One column read into another, with the transformations the producer reported (DIRECT/INDIRECT, subtype).</summary>
public sealed record LineageColumnEdge(LineageDataset Source, string SourceField, LineageDataset Target, string TargetField, JsonElement Transformations);

/// <summary>
/// A validated event, as received (<see cref="Event"/>) plus what the registry reads from it: the domain it
/// belongs to, its identity for idempotency (<see cref="ContentHash"/>) and, for run events, the run-time lineage.
/// </summary>
public sealed record ReceivedLineageEvent(
    LineageEventKind Kind,
    string Domain,
    string? EventType,
    DateTimeOffset EventTime,
    Guid? RunId,
    LineageDataset? Job,
    LineageDataset? Dataset,
    IReadOnlyList<LineageDataset> Inputs,
    IReadOnlyList<LineageDataset> Outputs,
    IReadOnlyList<LineageColumnEdge> ColumnEdges,
    JsonElement Event,
    byte[] ContentHash);

/// <summary>A stored event, in the order the registry took them in.</summary>
public sealed record StoredLineageEvent(long Position, LineageEventKind Kind, string Domain, DateTimeOffset ReceivedAt, JsonElement Event);

/// <summary>What a post stored: events new to the registry, and re-posts of events it already held.</summary>
public sealed record LineageIntake(int Stored, int Duplicates, int DatasetEdges, int ColumnEdges);
