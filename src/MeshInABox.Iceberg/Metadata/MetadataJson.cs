using System.Text.Json.Nodes;

namespace MeshInABox.Iceberg.Metadata;

/// <summary>Schemas and partition specs as the spec's JSON, for table metadata and for manifest headers alike.</summary>
public static class MetadataJson
{
    public static JsonObject Schema(IcebergSchema schema) => new()
    {
        ["type"] = "struct",
        ["schema-id"] = schema.SchemaId,
        ["fields"] = new JsonArray([.. schema.Fields.Select(f => (JsonNode)new JsonObject
        {
            ["id"] = f.Id, ["name"] = f.Name, ["required"] = f.Required, ["type"] = f.Type,
        })]),
    };

    public static JsonArray SpecFields(PartitionSpec spec) => new([.. spec.Fields.Select(f => (JsonNode)new JsonObject
    {
        ["name"] = f.Name, ["transform"] = f.Transform, ["source-id"] = f.SourceId, ["field-id"] = f.FieldId,
    })]);

    public static JsonObject Spec(PartitionSpec spec) => new() { ["spec-id"] = spec.SpecId, ["fields"] = SpecFields(spec) };
}
