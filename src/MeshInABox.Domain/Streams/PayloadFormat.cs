namespace MeshInABox.Domain.Streams;

/// <summary>
/// The language of a message payload's schema, from a Multi Format Schema Object's
/// <c>schemaFormat</c>: JSON Schema and the AsyncAPI Schema (a superset of JSON Schema
/// draft-07) are read and checked; any other language (Avro, OpenAPI, RAML, Protobuf…)
/// is reported as not checked rather than misread as JSON Schema.
/// </summary>
internal static class PayloadFormat
{
    private static readonly string[] JsonSchemaDrafts = ["draft-04", "draft-06", "draft-07"];

    /// <returns>Null when the payload is read as JSON Schema; otherwise why it is not checked.</returns>
    public static string? NotCheckedReason(string schemaFormat)
    {
        var parts = schemaFormat.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var mediaType = parts.Length == 0 ? "" : parts[0].ToLowerInvariant();
        var version = parts.Skip(1)
            .Select(p => p.Split('=', 2, StringSplitOptions.TrimEntries))
            .FirstOrDefault(p => p.Length == 2 && p[0].Equals("version", StringComparison.OrdinalIgnoreCase))?[1];
        var language = mediaType switch
        {
            "application/vnd.aai.asyncapi" or "application/vnd.aai.asyncapi+json" or "application/vnd.aai.asyncapi+yaml" => "asyncapi",
            "application/schema+json" or "application/schema+yaml" => "json-schema",
            "application/vnd.apache.avro" or "application/vnd.apache.avro+json" or "application/vnd.apache.avro+yaml" => "an Avro schema",
            "application/vnd.oai.openapi" or "application/vnd.oai.openapi+json" or "application/vnd.oai.openapi+yaml" => "an OpenAPI schema",
            "application/raml+yaml" => "a RAML type",
            "application/vnd.google.protobuf" => "a Protobuf schema",
            _ => $"the schema format '{schemaFormat}'",
        };

        return language switch
        {
            "asyncapi" when version is null || version.StartsWith("2.", StringComparison.Ordinal) || version.StartsWith("3.0.", StringComparison.Ordinal) => null,
            "asyncapi" => $"its schema is in the AsyncAPI schema format version {version}; the platform reads versions 2.x and 3.0.x",
            "json-schema" when version is null || JsonSchemaDrafts.Contains(version, StringComparer.OrdinalIgnoreCase) => null,
            "json-schema" => $"its schema is JSON Schema {version}; the platform reads drafts {string.Join(", ", JsonSchemaDrafts)}",
            _ => $"its schema is {language} ('{schemaFormat}'), which the platform does not read",
        };
    }
}
