using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MeshInABox.Iceberg.Metadata;

/// <summary>A table schema: top-level fields with the ids data files are read by (never by position or name).</summary>
public sealed record IcebergSchema(int SchemaId, IReadOnlyList<NestedField> Fields)
{
    public NestedField Field(int id) =>
        Fields.FirstOrDefault(f => f.Id == id) ?? throw new IcebergFormatException($"Schema {SchemaId} has no field {id}.");

    internal static IcebergSchema Parse(JsonObject node) => new(
        node["schema-id"]?.GetValue<int>() ?? 0,
        [.. TableMetadata.Array(node, "fields").Select(f => NestedField.Parse(f!.AsObject()))]);
}

/// <summary>A field: id, name, requiredness and Iceberg type (primitive types as text; nested types kept as JSON).</summary>
public sealed partial record NestedField(int Id, string Name, bool Required, string Type, string? Doc = null)
{
    public bool IsPrimitive => !Type.StartsWith('{');

    /// <summary>The DuckDB type that reads this Iceberg type.</summary>
    public string DuckDbType => Type switch
    {
        "boolean" => "BOOLEAN",
        "int" => "INTEGER",
        "long" => "BIGINT",
        "float" => "FLOAT",
        "double" => "DOUBLE",
        "date" => "DATE",
        "time" => "TIME",
        "timestamp" => "TIMESTAMP",
        "timestamptz" => "TIMESTAMPTZ",
        "string" => "VARCHAR",
        "uuid" => "UUID",
        "binary" => "BLOB",
        _ when Decimal().Match(Type) is { Success: true } m => $"DECIMAL({m.Groups[1].Value}, {m.Groups[2].Value})",
        _ when Type.StartsWith("fixed[", StringComparison.Ordinal) => "BLOB",
        _ => throw new IcebergFormatException($"Field '{Name}' has type {Type}, which this reader does not support (nested types)."),
    };

    internal static NestedField Parse(JsonObject node)
    {
        var type = node["type"];
        return new NestedField(
            TableMetadata.Int(node, "id"),
            TableMetadata.String(node, "name"),
            node["required"]?.GetValue<bool>() ?? false,
            type is JsonValue value ? value.GetValue<string>() : type?.ToJsonString() ?? throw new IcebergFormatException("A field has no type."),
            node["doc"]?.GetValue<string>());
    }

    [GeneratedRegex(@"^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$")]
    private static partial Regex Decimal();
}
