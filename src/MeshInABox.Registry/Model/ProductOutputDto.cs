namespace MeshInABox.Registry.Model;

/// <summary>An output of a product: its name, kind (csv, postgres, lakehouse, kafka) and where or how it is stored.</summary>
public sealed record ProductOutputDto(
    string? Name,
    string? Kind,
    string? Location = null,
    string? StorageTemplate = null,
    string? Transform = null,
    string? Source = null);
