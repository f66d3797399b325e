namespace MeshInABox.Domain.Documents;

/// <summary>A problem in a document: where, what, and the field path it concerns.</summary>
public sealed record DocumentError(SourceLocation Location, string Message, string? Path = null)
{
    public override string ToString() => Path is null ? $"{Location}: {Message}" : $"{Location}: {Path}: {Message}";
}
