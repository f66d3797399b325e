using System.Text.Json;
using MeshInABox.Domain.Documents;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace MeshInABox.Domain.Contracts;

/// <summary>Writes back what the reader understood of a contract, as YAML or JSON.</summary>
public static class ContractExport
{
    /// <summary>
    /// The document as YAML, re-emitted from its own event stream with its comments put back where they
    /// were: key order, scalar styles and comments survive, which a node tree would drop. Comments are
    /// scanned apart and merged by position because YamlDotNet's parser refuses some comment placements
    /// (after the first key of a list item) that its scanner and emitter handle.
    /// </summary>
    /// <exception cref="DocumentParseException">The text is not well-formed JSON or YAML.</exception>
    public static string Yaml(string text, string file)
    {
        StructuredText.ParseMapping(text, file);
        var comments = new Queue<YamlDotNet.Core.Tokens.Comment>(Comments(text));
        using var writer = new StringWriter();
        // Lists indented under their key, as ODCS examples and the sample mesh write them.
        var emitter = new Emitter(writer, new EmitterSettings(2, int.MaxValue, false, 1024).WithIndentedSequences());
        var parser = new Parser(new StringReader(text));
        while (parser.MoveNext())
        {
            var current = parser.Current!;
            while (comments.Count > 0 && comments.Peek().Start.Index < current.Start.Index && current is not (StreamStart or DocumentStart))
            {
                var comment = comments.Dequeue();
                emitter.Emit(new Comment(comment.Value, comment.IsInline));
            }

            if (current is DocumentEnd or StreamEnd)
            {
                while (comments.Count > 0)
                {
                    var comment = comments.Dequeue();
                    emitter.Emit(new Comment(comment.Value, comment.IsInline));
                }
            }

            emitter.Emit(current switch
            {
                // A JSON file's flow style becomes YAML's block style: the point of a YAML export.
                MappingStart start when StructuredText.IsJson(file) => new MappingStart(start.Anchor, start.Tag, start.IsImplicit, MappingStyle.Block),
                SequenceStart start when StructuredText.IsJson(file) => new SequenceStart(start.Anchor, start.Tag, start.IsImplicit, SequenceStyle.Block),
                // The emitter cannot write an empty plain scalar (it would quote it, making it text): null is the same data.
                Scalar { Style: ScalarStyle.Plain, Value: "" } empty => new Scalar(empty.Anchor, empty.Tag, "null", ScalarStyle.Plain, empty.IsPlainImplicit, empty.IsQuotedImplicit),
                var other => other,
            });
        }

        return writer.ToString();
    }

    private static IEnumerable<YamlDotNet.Core.Tokens.Comment> Comments(string text)
    {
        var scanner = new Scanner(new StringReader(text), skipComments: false);
        while (scanner.MoveNext())
        {
            if (scanner.Current is YamlDotNet.Core.Tokens.Comment comment)
            {
                yield return comment;
            }
        }
    }

    /// <summary>The document as JSON, scalars typed as YAML 1.2's core schema reads them; JSON has no comments.</summary>
    public static string Json(DataContract contract) =>
        YamlScalars.ToJson(contract.Document)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
}
