using System.Globalization;
using System.Text.Json.Nodes;
using MeshInABox.Domain.Documents;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MeshInABox.Domain.Streams;

/// <summary>
/// Payload schemas as JSON with every $ref (in any of the document's files) inlined, for a
/// JSON Schema validator that sees one self-contained schema. Inlined copies are counted
/// across the whole document like aliases, so references cannot multiply it past
/// <see cref="DocumentLimits.MaxNodes"/>.
/// </summary>
internal sealed class SchemaInliner(AsyncApiSources sources)
{
    private readonly HashSet<string> _expanding = new(StringComparer.Ordinal);
    private readonly List<DocumentError> _notChecked = [];
    private int _expanded;

    /// <summary>Parts of schemas that were read but cannot be checked, and why.</summary>
    public IReadOnlyList<DocumentError> NotChecked => _notChecked;

    public JsonNode? ToJson(Located node, string path) => ToJson(node, path, depth: 0);

    /// <summary>The names a schema requires: its own 'required' and those of every 'allOf' part.</summary>
    public static IReadOnlyList<string> RequiredFields(JsonNode? schema)
    {
        var fields = new List<string>();
        Collect(schema, 0);
        return fields.Distinct(StringComparer.Ordinal).ToList();

        void Collect(JsonNode? node, int depth)
        {
            if (node is not JsonObject obj || depth > DocumentLimits.MaxDepth)
            {
                return;
            }

            if (obj["required"] is JsonArray required)
            {
                fields.AddRange(required.OfType<JsonValue>().Select(v => v.TryGetValue<string>(out var name) ? name : null).OfType<string>());
            }

            foreach (var part in obj["allOf"] as JsonArray ?? [])
            {
                Collect(part, depth + 1);
            }
        }
    }

    private JsonNode? ToJson(Located node, string path, int depth)
    {
        if (depth > DocumentLimits.MaxDepth)
        {
            node.Error(path, $"The schema nests deeper than {DocumentLimits.MaxDepth} levels once its $refs are inlined (limit: depth {DocumentLimits.MaxDepth}). Flatten it, or define the deep part once and refer to it.");
            return null;
        }

        if (++_expanded > DocumentLimits.MaxNodes)
        {
            if (_expanded == DocumentLimits.MaxNodes + 1)
            {
                node.Error(path, $"The payload schemas, $refs inlined, have more than {DocumentLimits.MaxNodes} nodes (limit: nodes {DocumentLimits.MaxNodes}). Refer to fewer copies of large schemas.");
            }

            return null;
        }

        if (AsyncApiSources.Reference(node.Node) is { } reference)
        {
            if (sources.Resolve(node, path, out var chain) is not { } target)
            {
                return null;
            }

            // A schema that contains itself (a tree, a linked list) is valid JSON Schema but has no finite inlined form.
            if (chain.FirstOrDefault(_expanding.Contains) is { } recursive)
            {
                _notChecked.Add(new DocumentError(node.At,
                    $"The $ref '{reference}' refers to a schema that contains it ({sources.Describe(recursive)}); from here on the payload is not checked.", path));
                return new JsonObject();
            }

            foreach (var key in chain)
            {
                _expanding.Add(key);
            }

            try
            {
                return ToJson(target, path, depth + 1);
            }
            finally
            {
                foreach (var key in chain)
                {
                    _expanding.Remove(key);
                }
            }
        }

        switch (node.Node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (key, value) in map.Children)
                {
                    if (key is not YamlScalarNode { Value: { } name })
                    {
                        new Located(key, node.File).Error(path, $"A schema's keys are text, found {StructuredText.Describe(key)}. Quote the key or remove it.");
                        continue;
                    }

                    obj[name] = ToJson(new Located(value, node.File), $"{path}.{name}", depth + 1);
                }

                return obj;
            case YamlSequenceNode list:
                var array = new JsonArray();
                foreach (var item in list.Children)
                {
                    array.Add(ToJson(new Located(item, node.File), path, depth + 1));
                }

                return array;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                return null;
        }
    }

    internal static JsonNode? Scalar(YamlScalarNode scalar)
    {
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(scalar.Value);
        }

        var text = scalar.Value;
        if (NodeReader.IsNull(scalar))
        {
            return null;
        }

        if (bool.TryParse(text, out var flag))
        {
            return JsonValue.Create(flag);
        }

        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole))
        {
            return JsonValue.Create(whole);
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            ? JsonValue.Create(number)
            : JsonValue.Create(text);
    }
}
