namespace MeshInABox.Registry.Model;

/// <summary>A product this one is derived from.</summary>
public sealed record ProductInputDto(string? Product, string? Output = null);
