using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MeshInABox.Domain.Documents;

/// <summary>
/// Reads JSON or YAML into one node tree that remembers line and column of
/// every node, so every later error can point into the file.
/// </summary>
public static class StructuredText
{
    public static bool IsJson(string file) => file.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses a document whose root must be a mapping, within <see cref="DocumentLimits"/>.</summary>
    public static YamlMappingNode ParseMapping(string text, string file)
    {
        if (text.Length > DocumentLimits.MaxCharacters)
        {
            DocumentLimits.Check(text, file);
        }

        if (IsJson(file))
        {
            CheckJsonSyntax(text, file);
        }

        var stream = new YamlStream();
        try
        {
            DocumentLimits.Check(text, file);
            stream.Load(new StringReader(text));
        }
        catch (YamlException error)
        {
            var message = error.InnerException is YamlException inner ? inner.Message : error.Message;
            throw new DocumentParseException(new DocumentError(
                new SourceLocation(file, (int)error.Start.Line, (int)error.Start.Column), Clean(message)));
        }
        catch (ArgumentException error)
        {
            // YamlDotNet refuses some malformed input (a tag that is not a URI) with argument errors, not YamlException.
            throw new DocumentParseException(new DocumentError(SourceLocation.StartOf(file), Clean(error.Message.Split(" (Parameter", 2)[0])));
        }

        if (stream.Documents.Count == 0)
        {
            throw new DocumentParseException(new DocumentError(SourceLocation.StartOf(file), "The document is empty."));
        }

        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode.Start;
            throw new DocumentParseException(new DocumentError(
                new SourceLocation(file, (int)second.Line, (int)second.Column), "Expected one document, found several."));
        }

        return stream.Documents[0].RootNode as YamlMappingNode
            ?? throw new DocumentParseException(new DocumentError(
                Locate(file, stream.Documents[0].RootNode), $"Expected a mapping (an object) at the top, found {Describe(stream.Documents[0].RootNode)}."));
    }

    public static SourceLocation Locate(string file, YamlNode node) =>
        new(file, (int)node.Start.Line, (int)node.Start.Column);

    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode { Value: null or "" or "~" or "null", Style: ScalarStyle.Plain } => "nothing (null)",
        YamlScalarNode scalar => $"'{scalar.Value}'",
        _ => "an unexpected node",
    };

    /// <summary>YAML reads most malformed JSON leniently; System.Text.Json gives the precise JSON error.</summary>
    private static void CheckJsonSyntax(string text, string file)
    {
        try
        {
            using var _ = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = DocumentLimits.MaxDepth });
        }
        catch (JsonException error)
        {
            var line = (int)(error.LineNumber ?? 0) + 1;
            var column = (int)(error.BytePositionInLine ?? 0) + 1;
            var message = error.Message.Contains("maximum configured depth", StringComparison.Ordinal)
                ? $"The document nests deeper than {DocumentLimits.MaxDepth} levels (limit: depth {DocumentLimits.MaxDepth})."
                : Clean(error.Message);
            throw new DocumentParseException(new DocumentError(new SourceLocation(file, line, column), message));
        }
        catch (ArgumentException)
        {
            // A lone UTF-16 surrogate cannot be transcoded to UTF-8.
            throw new DocumentParseException(new DocumentError(SourceLocation.StartOf(file), "The text is not valid Unicode (it holds a lone surrogate)."));
        }
    }

    // Library messages repeat the position we already report.
    private static string Clean(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).Trim();
    }
}
