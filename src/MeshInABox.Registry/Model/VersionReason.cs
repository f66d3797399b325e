namespace MeshInABox.Registry.Model;

/// <summary>Why a version was rejected: a policy violation, a contract error, or a version bump too small.</summary>
public sealed record VersionReason(string Kind, string Code, string Message, string? Fix = null, int? Line = null, int? Column = null);
