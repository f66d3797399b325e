using System.Globalization;
using System.Text.Json.Nodes;
using MeshInABox.Domain.Documents;
using NJsonSchema;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MeshInABox.Domain.Streams;

/// <summary>
/// An AsyncAPI 3.0 document for a kafka output: its channels, the messages on
/// each, and their payload schemas (JSON Schema), enough to check a message
/// against the stream's contract.
/// </summary>
public sealed class AsyncApiDocument
{
    private AsyncApiDocument(string version, string title, string infoVersion, IReadOnlyList<AsyncApiChannel> channels)
    {
        Version = version;
        Title = title;
        InfoVersion = infoVersion;
        Channels = channels;
    }

    public string Version { get; }

    public string Title { get; }

    public string InfoVersion { get; }

    public IReadOnlyList<AsyncApiChannel> Channels { get; }

    public sealed record Result(AsyncApiDocument? Document, IReadOnlyList<DocumentError> Errors);

    /// <exception cref="DocumentParseException">The text is not well-formed JSON or YAML.</exception>
    public static Result Read(string text, string file)
    {
        var root = StructuredText.ParseMapping(text, file);
        var reader = new NodeReader(file);
        var version = reader.String(root, "asyncapi", "", required: true);
        if (version is not null && !version.StartsWith("3.0.", StringComparison.Ordinal))
        {
            reader.Error(NodeReader.Child(root, "asyncapi")!, "asyncapi", $"Only AsyncAPI 3.0.x is supported, found '{version}'.");
        }

        var info = reader.Mapping(root, "info", "");
        if (info is null)
        {
            reader.Error(root, "info", "'info' is required (title and version).");
        }

        var title = info is null ? null : reader.String(info, "title", "info", required: true);
        var infoVersion = info is null ? null : reader.String(info, "version", "info", required: true);
        var channels = new List<AsyncApiChannel>();
        // $refs are inlined as copies: bounded like aliases, across the whole document.
        var expanded = 0;
        var channelMap = reader.Mapping(root, "channels", "");
        if (channelMap is null || channelMap.Children.Count == 0)
        {
            reader.Error(channelMap ?? (YamlNode)root, "channels", "A stream contract needs at least one channel.");
        }

        foreach (var (key, value) in channelMap?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
        {
            var name = ((YamlScalarNode)key).Value!;
            var path = $"channels.{name}";
            if (Resolve(root, value, reader, path) is not YamlMappingNode channel)
            {
                reader.Error(value, path, "A channel must be a mapping.");
                continue;
            }

            var address = reader.String(channel, "address", path, required: true);
            var messages = new List<AsyncApiMessage>();
            var messageMap = reader.Mapping(channel, "messages", path);
            if (messageMap is null || messageMap.Children.Count == 0)
            {
                reader.Error(channel, NodeReader.Join(path, "messages"), "A channel needs at least one message.");
            }

            foreach (var (messageKey, messageValue) in messageMap?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
            {
                var messageName = ((YamlScalarNode)messageKey).Value!;
                var messagePath = $"{path}.messages.{messageName}";
                if (Resolve(root, messageValue, reader, messagePath) is not YamlMappingNode message)
                {
                    continue;
                }

                var payload = NodeReader.Child(message, "payload") is { } payloadNode ? Resolve(root, payloadNode, reader, messagePath + ".payload") : null;
                if (payload is not YamlMappingNode payloadSchema)
                {
                    reader.Error(message, messagePath + ".payload", "A message needs a payload schema.");
                    continue;
                }

                var schemaJson = ToJson(root, payloadSchema, reader, messagePath + ".payload", depth: 0, ref expanded);
                messages.Add(new AsyncApiMessage(messageName, schemaJson?.ToJsonString() ?? "{}", RequiredFields(payloadSchema), reader.At(message)));
            }

            if (address is not null)
            {
                channels.Add(new AsyncApiChannel(name, address, messages, reader.At(channel)));
            }
        }

        var document = version is null || title is null || infoVersion is null ? null : new AsyncApiDocument(version, title, infoVersion, channels);
        return new Result(document, reader.Errors);
    }

    /// <summary>Checks a message payload (JSON) against the channel's message schema.</summary>
    /// <returns>The reasons it does not conform; empty when it does.</returns>
    public IReadOnlyList<string> ValidatePayload(string channelOrAddress, string payloadJson, string? messageName = null)
    {
        var channel = Channels.FirstOrDefault(c => c.Name == channelOrAddress || c.Address == channelOrAddress)
            ?? throw new ArgumentException($"No channel '{channelOrAddress}' in {Title}.", nameof(channelOrAddress));
        var message = messageName is null ? channel.Messages.FirstOrDefault() : channel.Messages.FirstOrDefault(m => m.Name == messageName);
        if (message is null)
        {
            return [$"No message '{messageName}' on channel '{channel.Name}'."];
        }

        var schema = message.Schema;
        try
        {
            return [.. schema.Validate(payloadJson).Select(e => $"{e.Path}: {e.Kind}")];
        }
        catch (Newtonsoft.Json.JsonException error)
        {
            return [$"The payload is not JSON: {error.Message}"];
        }
    }

    private static YamlNode? Resolve(YamlMappingNode root, YamlNode node, NodeReader reader, string path)
    {
        for (var hops = 0; node is YamlMappingNode map && NodeReader.Child(map, "$ref") is YamlScalarNode { Value: { } reference }; hops++)
        {
            var target = hops < 16 ? Pointer(root, reference) : null;
            if (target is null)
            {
                reader.Error(map, path, $"Cannot resolve $ref '{reference}' within the document.");
                return null;
            }

            node = target;
        }

        return node;
    }

    private static YamlNode? Pointer(YamlMappingNode root, string reference)
    {
        if (!reference.StartsWith("#/", StringComparison.Ordinal))
        {
            return null;
        }

        YamlNode? current = root;
        foreach (var raw in reference[2..].Split('/'))
        {
            var segment = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            current = current switch
            {
                YamlMappingNode map => NodeReader.Child(map, segment),
                YamlSequenceNode list when int.TryParse(segment, CultureInfo.InvariantCulture, out var i) && i < list.Children.Count => list.Children[i],
                _ => null,
            };
        }

        return current;
    }

    /// <summary>The payload schema as JSON with in-document $refs inlined, for a JSON Schema validator.</summary>
    private static JsonNode? ToJson(YamlMappingNode root, YamlNode node, NodeReader reader, string path, int depth, ref int expanded)
    {
        if (depth > 32)
        {
            reader.Error(node, path, "The schema nests too deep (a $ref cycle?).");
            return null;
        }

        if (++expanded > DocumentLimits.MaxNodes)
        {
            if (expanded == DocumentLimits.MaxNodes + 1)
            {
                reader.Error(node, path, $"The payload schemas, $refs inlined, have more than {DocumentLimits.MaxNodes} nodes (limit: nodes {DocumentLimits.MaxNodes}).");
            }

            return null;
        }

        switch (Resolve(root, node, reader, path))
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (key, value) in map.Children)
                {
                    if (key is not YamlScalarNode { Value: { } name })
                    {
                        reader.Error(key, path, $"A schema's keys are text, found {StructuredText.Describe(key)}.");
                        continue;
                    }

                    obj[name] = ToJson(root, value, reader, $"{path}.{name}", depth + 1, ref expanded);
                }

                return obj;
            case YamlSequenceNode list:
                var array = new JsonArray();
                foreach (var item in list.Children)
                {
                    array.Add(ToJson(root, item, reader, path, depth + 1, ref expanded));
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

    private static IReadOnlyList<string> RequiredFields(YamlMappingNode schema) =>
        NodeReader.Child(schema, "required") is YamlSequenceNode required
            ? [.. required.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "")]
            : [];
}

public sealed record AsyncApiChannel(string Name, string Address, IReadOnlyList<AsyncApiMessage> Messages, SourceLocation At);

public sealed record AsyncApiMessage(string Name, string PayloadSchemaJson, IReadOnlyList<string> RequiredFields, SourceLocation At)
{
    private JsonSchema? _schema;

    /// <summary>Parsed once, on first use.</summary>
    public JsonSchema Schema => _schema ??= JsonSchema.FromJsonAsync(PayloadSchemaJson).GetAwaiter().GetResult();
}
