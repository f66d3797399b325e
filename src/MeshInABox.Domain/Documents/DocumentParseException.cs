namespace MeshInABox.Domain.Documents;

/// <summary>The text is not well-formed JSON or YAML: nothing could be read from it.</summary>
public sealed class DocumentParseException(DocumentError error) : Exception(error.ToString())
{
    public DocumentError Error { get; } = error;
}
