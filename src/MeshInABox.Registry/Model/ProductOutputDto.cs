using System.Text.Json.Serialization;

namespace MeshInABox.Registry.Model;

/// <summary>
/// An output of a product: its name, kind (csv, postgres, lakehouse, kafka) and where or how it is stored;
/// <c>sql</c> is the text of the statement that computes it (the file <c>transform</c> names), from which the
/// registry derives its design-time lineage.
/// </summary>
public sealed record ProductOutputDto(
    string? Name,
    string? Kind,
    string? Location = null,
    string? StorageTemplate = null,
    string? Transform = null,
    string? Source = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Sql = null);
