using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace MeshInABox.Domain.Documents;

/// <summary>
/// Bounds on an untrusted JSON or YAML document, checked by a cheap streaming pass before any tree is
/// built: the tree builder recurses once per nesting level (100,000 '[' overflowed the stack) and later
/// readers walk aliases as copies (10 aliases on each of 7 levels cost 10^7 nodes from under 1 KB).
/// </summary>
public static class DocumentLimits
{
    /// <summary>
    /// Characters in one document. The registry takes at most 1 MiB per request; the largest real contract
    /// in the sample mesh is a few KB, so 4 Mi characters leaves room for generated contracts with thousands of columns.
    /// </summary>
    public const int MaxCharacters = 4 * 1024 * 1024;

    /// <summary>Nesting of mappings and lists. ODCS needs about 8 levels, JSON Schema payloads a few more; 64 is System.Text.Json's default.</summary>
    public const int MaxDepth = 64;

    /// <summary>Nodes (scalars, mappings, lists), counting every alias as the copy readers see: a contract of 5,000 columns is about 50,000.</summary>
    public const int MaxNodes = 100_000;

    /// <summary>Alias references (<c>*name</c>). Hand-written documents use a few to share definitions.</summary>
    public const int MaxAliases = 1_000;

    /// <summary>Throws a <see cref="DocumentParseException"/> naming the limit and where it was broken.</summary>
    /// <exception cref="YamlException">The text is not well-formed YAML.</exception>
    public static void Check(string text, string file)
    {
        if (text.Length > MaxCharacters)
        {
            throw Broken(SourceLocation.StartOf(file), $"The document is {text.Length} characters long; at most {MaxCharacters} are allowed (limit: size).");
        }

        // The event parser is iterative, so this pass is safe on any input and costs one look at each event.
        var parser = new Parser(new StringReader(text));
        var anchors = new Dictionary<string, long>(StringComparer.Ordinal);
        var open = new Stack<(string? Anchor, long Size)>();
        long nodes = 0;
        var aliases = 0;
        while (parser.MoveNext())
        {
            long size;
            string? anchor = null;
            switch (parser.Current)
            {
                case SequenceStart or MappingStart:
                    var start = (NodeEvent)parser.Current!;
                    if (open.Count >= MaxDepth)
                    {
                        throw Broken(At(file, start), $"The document nests deeper than {MaxDepth} levels (limit: depth {MaxDepth}).");
                    }

                    Count(ref nodes, 1, file, start);
                    open.Push((start.Anchor.IsEmpty ? null : start.Anchor.Value, 1));
                    continue;
                case SequenceEnd or MappingEnd:
                    (anchor, size) = open.Pop();
                    break;
                case Scalar scalar:
                    Count(ref nodes, 1, file, scalar);
                    (anchor, size) = (scalar.Anchor.IsEmpty ? null : scalar.Anchor.Value, 1);
                    break;
                case AnchorAlias alias:
                    if (++aliases > MaxAliases)
                    {
                        throw Broken(At(file, alias), $"The document uses more than {MaxAliases} aliases (limit: aliases {MaxAliases}).");
                    }

                    // An alias inside the node it names makes the tree a cycle: every reader that walks it would never end.
                    if (open.Any(o => o.Anchor == alias.Value.Value))
                    {
                        throw Broken(At(file, alias), $"The alias *{alias.Value.Value} refers to a node that contains it (a cycle); aliases may only repeat finished nodes.");
                    }

                    // An unknown anchor is YAML's error, reported when the tree is built.
                    size = anchors.GetValueOrDefault(alias.Value.Value);
                    Count(ref nodes, size, file, alias);
                    break;
                default:
                    continue;
            }

            if (anchor is not null)
            {
                anchors[anchor] = size;
            }

            if (open.TryPop(out var parent))
            {
                open.Push((parent.Anchor, parent.Size + size));
            }
        }
    }

    private static void Count(ref long nodes, long size, string file, ParsingEvent at)
    {
        nodes += size;
        if (nodes > MaxNodes)
        {
            throw Broken(At(file, at), $"The document has more than {MaxNodes} nodes, aliases counted as the copies they stand for (limit: nodes {MaxNodes}).");
        }
    }

    private static SourceLocation At(string file, ParsingEvent at) => new(file, (int)at.Start.Line, (int)at.Start.Column);

    private static DocumentParseException Broken(SourceLocation at, string message) => new(new DocumentError(at, message));
}
