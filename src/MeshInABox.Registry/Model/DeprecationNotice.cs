namespace MeshInABox.Registry.Model;

/// <summary>What consumers of a deprecated product are told: when it goes, and what to use instead.</summary>
public sealed record DeprecationNotice(DateTimeOffset SunsetAt, string Message);
