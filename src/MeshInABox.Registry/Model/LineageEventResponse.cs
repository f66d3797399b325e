using System.Text.Json;

namespace MeshInABox.Registry.Model;

/// <summary>A stored OpenLineage event: its kind (RunEvent, JobEvent, DatasetEvent), its domain and the event as received.</summary>
public sealed record LineageEventResponse(long Position, string Kind, string Domain, DateTimeOffset ReceivedAt, JsonElement Event);

/// <summary>Lineage events after a position; pass <see cref="Next"/> as <c>after</c> to read on.</summary>
public sealed record LineageEventPage(IReadOnlyList<LineageEventResponse> Events, long Next);

/// <summary>What a post of OpenLineage events did: new events stored, re-posts recognised, run-time edges written.</summary>
public sealed record LineageIntakeResponse(int Received, int Stored, int Duplicates, int DatasetEdges, int ColumnEdges);
