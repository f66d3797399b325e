using System.Text.Json.Nodes;
using MeshInABox.Domain.Documents;
using YamlDotNet.RepresentationModel;

namespace MeshInABox.Domain.Streams;

/// <summary>
/// An AsyncAPI 3.0 document for a kafka output: its channels, the messages on
/// each, and their payload schemas, enough to check a message against the
/// stream's contract. The document may be split over several files by relative
/// <c>$ref</c>s; payloads are a plain schema or a Multi Format Schema Object.
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

    /// <param name="Document">Null when the document lacks what identifies it (version, title).</param>
    /// <param name="Errors">What is wrong, each at file:line:column with how to fix it.</param>
    public sealed record Result(AsyncApiDocument? Document, IReadOnlyList<DocumentError> Errors)
    {
        /// <summary>What was read but cannot be checked (a payload in Avro, a recursive schema), and why; not errors.</summary>
        public IReadOnlyList<DocumentError> NotChecked { get; init; } = [];
    }

    /// <summary>Reads a document given as text: only references within it (<c>#/...</c>) resolve.</summary>
    /// <exception cref="DocumentParseException">The text is not well-formed JSON or YAML.</exception>
    public static Result Read(string text, string file) => Read(AsyncApiSources.FromText(text, file));

    /// <summary>
    /// Reads a document from its file, following <c>$ref</c>s to other files by relative path
    /// (<c>common.yaml</c>, <c>../common/messages.yaml#/json/pointer</c>). Only files under
    /// <paramref name="trustedFolder"/> are read (by default the folder holding the document):
    /// a reference leading elsewhere, or to the network, is an error.
    /// </summary>
    /// <param name="path">The root document.</param>
    /// <param name="trustedFolder">The folder whose files the document may reach; it must hold the document.</param>
    /// <param name="displayRelativeTo">Error locations name files relative to this folder; by default
    /// relative to the current folder when <paramref name="path"/> is relative, otherwise in full.</param>
    /// <exception cref="DocumentParseException">The root file cannot be read, or is not well-formed JSON or YAML.</exception>
    /// <exception cref="ArgumentException"><paramref name="trustedFolder"/> does not hold the document.</exception>
    public static Result ReadFile(string path, string? trustedFolder = null, string? displayRelativeTo = null)
    {
        var full = Path.GetFullPath(path);
        var folder = new DocumentFolder(trustedFolder ?? Path.GetDirectoryName(full)!);
        if (!folder.Contains(full))
        {
            throw new ArgumentException($"The trusted folder '{trustedFolder}' does not hold the document '{path}'.", nameof(trustedFolder));
        }

        var relativeTo = displayRelativeTo ?? (Path.IsPathRooted(path) ? null : Directory.GetCurrentDirectory());
        return Read(AsyncApiSources.FromFile(full, folder, file => relativeTo is null ? file : Path.GetRelativePath(relativeTo, file)));
    }

    /// <summary>Checks a message payload (JSON) against the channel's message schema.</summary>
    /// <returns>The reasons it does not conform, or that it cannot be checked; empty when it conforms.</returns>
    public IReadOnlyList<string> ValidatePayload(string channelOrAddress, string payloadJson, string? messageName = null)
    {
        var channel = Channels.FirstOrDefault(c => c.Name == channelOrAddress || c.Address == channelOrAddress)
            ?? throw new ArgumentException($"No channel '{channelOrAddress}' in {Title}.", nameof(channelOrAddress));
        var message = messageName is null ? channel.Messages.FirstOrDefault() : channel.Messages.FirstOrDefault(m => m.Name == messageName);
        if (message is null)
        {
            return [$"No message '{messageName}' on channel '{channel.Name}'."];
        }

        if (message.NotChecked is { } reason)
        {
            return [$"Message '{message.Name}' cannot be checked: {reason}."];
        }

        try
        {
            return [.. message.Schema.Validate(payloadJson).Select(e => $"{e.Path}: {e.Kind}")];
        }
        catch (Newtonsoft.Json.JsonException error)
        {
            return [$"The payload is not JSON: {error.Message}"];
        }
    }

    private static Result Read(AsyncApiSources sources)
    {
        var file = sources.Root;
        var root = file.Root;
        var reader = file.Reader;
        var version = reader.String(root, "asyncapi", "", required: true);
        if (version is not null && !version.StartsWith("3.0.", StringComparison.Ordinal))
        {
            reader.Error(NodeReader.Child(root, "asyncapi")!, "asyncapi", $"Only AsyncAPI 3.0.x is supported, found '{version}'. Write the document in AsyncAPI 3.0 ('asyncapi: 3.0.0').");
        }

        var info = reader.Mapping(root, "info", "");
        if (info is null)
        {
            reader.Error(root, "info", "'info' is required (title and version).");
        }

        var title = info is null ? null : reader.String(info, "title", "info", required: true);
        var infoVersion = info is null ? null : reader.String(info, "version", "info", required: true);
        var inliner = new SchemaInliner(sources);
        var channels = new List<AsyncApiChannel>();
        var channelMap = reader.Mapping(root, "channels", "");
        if (channelMap is null || channelMap.Children.Count == 0)
        {
            reader.Error(channelMap ?? (YamlNode)root, "channels", "A stream contract needs at least one channel: add 'channels' with the topic its messages are published on.");
        }

        foreach (var (key, value) in channelMap?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
        {
            var name = ((YamlScalarNode)key).Value!;
            if (ReadChannel(sources, inliner, new Located(value, file), name) is { } channel)
            {
                channels.Add(channel);
            }
        }

        var document = version is null || title is null || infoVersion is null ? null : new AsyncApiDocument(version, title, infoVersion, channels);
        return new Result(document, sources.Errors)
        {
            NotChecked = [.. inliner.NotChecked, .. channels.SelectMany(c => c.Messages).Where(m => m.NotChecked is not null).Select(m => new DocumentError(m.PayloadAt ?? m.At, $"The payload of message '{m.Name}' is not checked: {m.NotChecked}. Its required fields cannot be compared with the contract; give the payload as JSON Schema for them to be.", m.PayloadPath))],
        };
    }

    private static AsyncApiChannel? ReadChannel(AsyncApiSources sources, SchemaInliner inliner, Located value, string name)
    {
        var path = $"channels.{name}";
        if (sources.Resolve(value, path) is not { Node: YamlMappingNode channelNode } channel)
        {
            if (AsyncApiSources.Reference(value.Node) is null)
            {
                value.Error(path, "A channel must be a mapping (with 'address' and 'messages').");
            }

            return null;
        }

        var reader = channel.File.Reader;
        var address = reader.String(channelNode, "address", path, required: true);
        var messages = new List<AsyncApiMessage>();
        var messageMap = reader.Mapping(channelNode, "messages", path);
        if (messageMap is null || messageMap.Children.Count == 0)
        {
            reader.Error(channelNode, NodeReader.Join(path, "messages"), "A channel needs at least one message: add 'messages' with the events published on it.");
        }

        foreach (var (messageKey, messageValue) in messageMap?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
        {
            var messageName = ((YamlScalarNode)messageKey).Value!;
            if (ReadMessage(sources, inliner, new Located(messageValue, channel.File), messageName, $"{path}.messages.{messageName}") is { } message)
            {
                messages.Add(message);
            }
        }

        return address is null ? null : new AsyncApiChannel(name, address, messages, channel.At);
    }

    private static AsyncApiMessage? ReadMessage(AsyncApiSources sources, SchemaInliner inliner, Located value, string name, string path)
    {
        if (sources.Resolve(value, path) is not { Node: YamlMappingNode messageNode } message)
        {
            if (AsyncApiSources.Reference(value.Node) is null)
            {
                value.Error(path, "A message must be a mapping (with a 'payload').");
            }

            return null;
        }

        var payloadPath = path + ".payload";
        if (NodeReader.Child(messageNode, "payload") is not { } payloadValue)
        {
            message.Error(payloadPath, "A message needs a payload schema: add 'payload' with the JSON Schema of the event.");
            return null;
        }

        if (sources.Resolve(new Located(payloadValue, message.File), payloadPath) is not { } payload)
        {
            return null;
        }

        if (payload.Node is not YamlMappingNode payloadMap)
        {
            payload.Error(payloadPath, $"A payload must be a schema (a mapping), found {StructuredText.Describe(payload.Node)}.");
            return null;
        }

        // A Multi Format Schema Object is told by its 'schema' (as the official JSON Schema tells it); without
        // 'schemaFormat' it is the AsyncAPI Schema, as is a plain schema (a superset of JSON Schema draft-07).
        var schema = payload;
        string? schemaFormat = null;
        var schemaNode = NodeReader.Child(payloadMap, "schema");
        var formatNode = NodeReader.Child(payloadMap, "schemaFormat");
        if (formatNode is not null && schemaNode is null)
        {
            new Located(formatNode, payload.File).Error(payloadPath + ".schema",
                "A payload with 'schemaFormat' is a Multi Format Schema Object and needs 'schema' beside it: move the payload's schema under 'schema'.");
            return null;
        }

        if (schemaNode is not null)
        {
            schemaFormat = formatNode is null ? null : payload.File.Reader.String(payloadMap, "schemaFormat", payloadPath);
            if (formatNode is not null && schemaFormat is null)
            {
                return null;
            }

            if (schemaFormat is not null && PayloadFormat.NotCheckedReason(schemaFormat) is { } reason)
            {
                // The schema is not read at all: it is not JSON Schema, and its references may be remote.
                return new AsyncApiMessage(name, "{}", [], message.At)
                {
                    PayloadFormat = schemaFormat,
                    NotChecked = reason,
                    PayloadAt = payload.At,
                    PayloadPath = payloadPath,
                };
            }

            schema = new Located(schemaNode, payload.File);
            payloadPath += ".schema";
        }

        var json = inliner.ToJson(schema, payloadPath);
        if (json is not JsonObject)
        {
            if (json is not null)
            {
                schema.Error(payloadPath, "A payload schema must be a mapping (a JSON Schema object).");
            }

            return null;
        }

        return new AsyncApiMessage(name, json.ToJsonString(), SchemaInliner.RequiredFields(json), message.At)
        {
            PayloadFormat = schemaFormat,
            PayloadAt = payload.At,
            PayloadPath = path + ".payload",
        };
    }
}
