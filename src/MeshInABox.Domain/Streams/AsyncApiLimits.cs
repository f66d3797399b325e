using MeshInABox.Domain.Documents;

namespace MeshInABox.Domain.Streams;

/// <summary>
/// Bounds on an AsyncAPI document split over several files. Each file is also held to
/// <see cref="DocumentLimits"/> on its own; these bound what references add on top.
/// </summary>
public static class AsyncApiLimits
{
    /// <summary>Files one document may span, its root included. The specification's largest example spans five.</summary>
    public const int MaxFiles = 50;

    /// <summary>Files reached through files (root → a → b is 2): deeper chains are generated, not written by a team.</summary>
    public const int MaxFileDepth = 16;

    /// <summary>References followed in a row ($ref to a $ref to …) before something that is not a reference.</summary>
    public const int MaxReferenceChain = 16;

    /// <summary>Characters of all files together: a document split over files is still one document.</summary>
    public const int MaxCharacters = DocumentLimits.MaxCharacters;
}
