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
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Sql = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] StorageDto? Storage = null);

/// <summary>The storage an output declares: a template (postgres, lakehouse, csv, kafka) and its parameters, each a string.</summary>
public sealed record StorageDto(string? Template, IReadOnlyDictionary<string, string>? Parameters = null);
