using MeshInABox.Domain.Documents;
using NJsonSchema;

namespace MeshInABox.Domain.Streams;

public sealed record AsyncApiChannel(string Name, string Address, IReadOnlyList<AsyncApiMessage> Messages, SourceLocation At);

/// <param name="PayloadSchemaJson">The payload's JSON Schema with every $ref inlined; <c>{}</c> when it is not checked.</param>
/// <param name="RequiredFields">What the payload requires (its 'required' and those of its 'allOf' parts).</param>
public sealed record AsyncApiMessage(string Name, string PayloadSchemaJson, IReadOnlyList<string> RequiredFields, SourceLocation At)
{
    private JsonSchema? _schema;

    /// <summary>The <c>schemaFormat</c> of a payload written as a Multi Format Schema Object; null for a plain schema.</summary>
    public string? PayloadFormat { get; init; }

    /// <summary>Why the payload is not checked (a schema language the platform does not read); null when it is.</summary>
    public string? NotChecked { get; init; }

    /// <summary>Where the payload is written, which may be in another file than the message.</summary>
    public SourceLocation? PayloadAt { get; init; }

    /// <summary>The payload's field path from the document's root, such as <c>channels.c.messages.m.payload</c>.</summary>
    public string? PayloadPath { get; init; }

    /// <summary>Parsed once, on first use.</summary>
    public JsonSchema Schema => _schema ??= JsonSchema.FromJsonAsync(PayloadSchemaJson).GetAwaiter().GetResult();
}
