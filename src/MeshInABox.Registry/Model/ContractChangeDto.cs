namespace MeshInABox.Registry.Model;

/// <summary>One change against the previous active version: class (major, minor, patch), path, description.</summary>
public sealed record ContractChangeDto(string Class, string Path, string Description);
