namespace MeshInABox.Registry.Model;

/// <summary>Events after a position; pass <see cref="Next"/> as <c>after</c> to read on.</summary>
public sealed record EventPage(IReadOnlyList<OutboxEvent> Events, long Next);
