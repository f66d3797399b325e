namespace MeshInABox.Domain.Documents;

/// <summary>A problem in a document: where, what, and the field path it concerns.</summary>
public sealed record DocumentError(SourceLocation Location, string Message, string? Path = null)
{
    /// <summary>The rule broken: a standard and its version (<c>odcs-v3.1.0</c>) or one of the mesh's policies.</summary>
    public string? Rule { get; init; }

    public override string ToString() => Path is null ? $"{Location}: {Message}" : $"{Location}: {Path}: {Message}";
}
