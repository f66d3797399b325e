using MeshInABox.Domain.Documents;
using MeshInABox.Domain.Naming;
using YamlDotNet.RepresentationModel;

namespace MeshInABox.Domain.Products;

/// <summary>Reads a manifest, reporting every malformed field with its position.</summary>
public static class ManifestReader
{
    public static readonly string[] FileNames = ["dataproduct.json", "dataproduct.yaml", "dataproduct.yml"];

    public sealed record Result(DataProductManifest? Manifest, IReadOnlyList<DocumentError> Errors);

    /// <exception cref="DocumentParseException">The text is not well-formed JSON or YAML.</exception>
    public static Result Read(string text, string file)
    {
        var root = StructuredText.ParseMapping(text, file);
        var reader = new NodeReader(file);
        var fields = root.Children
            .Where(kv => kv.Key is YamlScalarNode { Value: not null })
            .ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => reader.At(kv.Value));

        var id = reader.String(root, "id", "", required: true);
        var name = reader.String(root, "name", "", required: true);
        var domain = reader.String(root, "domain", "", required: true);
        var owner = reader.String(root, "owner", "", required: true);
        var description = reader.String(root, "description", "") ?? "";
        var businessUnit = reader.String(root, "businessUnit", "");
        var tags = reader.Strings(root, "tags", "");
        var classification = ReadEnum<Classification>(reader, root, "classification");
        var status = ReadEnum<ProductStatus>(reader, root, "status") ?? ProductStatus.Draft;
        var outputs = ReadOutputs(reader, reader.Sequence(root, "outputs", "", required: true));
        var inputs = ReadInputs(reader, reader.Sequence(root, "inputs", ""));
        ReportUnknownFields(reader, root, "", KnownFields);
        CheckNames(reader, root, name, domain, owner, description, tags, outputs);

        if (id is null || name is null || domain is null || owner is null)
        {
            return new Result(null, reader.Errors);
        }

        var manifest = new DataProductManifest(
            id, name, domain, owner, description, businessUnit, tags, classification, status,
            outputs, inputs, reader.At(root), fields);
        return new Result(manifest, reader.Errors);
    }

    /// <summary>The registry's rules (<see cref="MeshNames"/>), found offline by <c>mesh validate</c> instead of at registration.</summary>
    private static void CheckNames(
        NodeReader reader, YamlMappingNode root, string? name, string? domain, string? owner, string description, IReadOnlyList<string> tags, List<ProductOutput> outputs)
    {
        void Check(string key, string? value, Func<string?, string?> rule)
        {
            // An empty value is the completeness policies' to report.
            if (!string.IsNullOrWhiteSpace(value) && rule(value) is { } error)
            {
                reader.Error(NodeReader.Child(root, key) ?? root, key, error);
            }
        }

        Check("name", name, v => MeshNames.Text(v, MeshNames.MaxDisplayNameLength, "'name'"));
        Check("domain", domain, MeshNames.Domain);
        Check("owner", owner, MeshNames.Owner);
        Check("description", description, v => MeshNames.Text(v, MeshNames.MaxDescriptionLength, "'description'"));
        if (tags.Count > MeshNames.MaxTags)
        {
            reader.Error(NodeReader.Child(root, "tags")!, "tags", $"{tags.Count} tags are given; at most {MeshNames.MaxTags} are allowed.");
        }

        foreach (var tag in tags.Where(t => MeshNames.Tag(t) is not null))
        {
            reader.Error(NodeReader.Child(root, "tags")!, "tags", MeshNames.Tag(tag)!);
        }

        foreach (var output in outputs.Where(o => MeshNames.Output(o.Name) is not null))
        {
            reader.Error(output.At, "outputs.name", MeshNames.Output(output.Name)!);
        }
    }

    private static readonly HashSet<string> KnownFields =
        ["$schema", "id", "name", "domain", "owner", "description", "businessUnit", "tags", "classification", "status", "outputs", "inputs"];

    private static readonly HashSet<string> KnownOutputFields =
        ["name", "kind", "location", "storageTemplate", "storage", "contract", "streamContract", "transform", "source", "description"];

    private static List<ProductOutput> ReadOutputs(NodeReader reader, YamlSequenceNode? sequence)
    {
        var outputs = new List<ProductOutput>();
        foreach (var (item, path) in reader.Mappings(sequence, "outputs"))
        {
            var name = reader.String(item, "name", path, required: true);
            var kind = ReadEnum<OutputKind>(reader, item, "kind", path);
            if (kind is null && NodeReader.Child(item, "kind") is null)
            {
                reader.Error(item, NodeReader.Join(path, "kind"), "'kind' is required: one of csv, postgres, lakehouse, kafka.");
            }

            ReportUnknownFields(reader, item, path, KnownOutputFields);
            if (name is not null && kind is not null)
            {
                outputs.Add(new ProductOutput(
                    name, kind.Value,
                    reader.String(item, "location", path),
                    reader.String(item, "storageTemplate", path),
                    reader.String(item, "contract", path),
                    reader.String(item, "streamContract", path),
                    reader.String(item, "transform", path),
                    reader.String(item, "source", path),
                    reader.At(item),
                    ReadStorage(reader, item, path)));
            }
        }

        return outputs;
    }

    /// <summary>
    /// The <c>storage</c> object: a known <c>template</c> and scalar parameters (a nested value has no place in a
    /// template's parameters and is refused here, at its line). <c>storageTemplate</c> beside it is ambiguous.
    /// </summary>
    private static OutputStorage? ReadStorage(NodeReader reader, YamlMappingNode output, string path)
    {
        var storagePath = NodeReader.Join(path, "storage");
        if (reader.Mapping(output, "storage", path) is not { } storage)
        {
            return null;
        }

        if (NodeReader.Child(output, "storageTemplate") is { } shorthand)
        {
            reader.Error(shorthand, NodeReader.Join(path, "storageTemplate"), "Give either 'storage' or 'storageTemplate', not both: 'storage' declares the template and its parameters.");
        }

        var template = reader.String(storage, "template", storagePath, required: true);
        if (template is not null && !OutputStorage.Templates.Contains(template))
        {
            reader.Error(NodeReader.Child(storage, "template")!, NodeReader.Join(storagePath, "template"),
                $"'{template}' is not a storage template: use {string.Join(", ", OutputStorage.Templates)}.");
            template = null;
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in storage.Children)
        {
            if (key is not YamlScalarNode { Value: { } name } || name == "template")
            {
                continue;
            }

            if (value is YamlScalarNode { Value: { } text } && !NodeReader.IsNull(value))
            {
                parameters[name] = text;
            }
            else
            {
                reader.Error(value, NodeReader.Join(storagePath, name), $"Parameter '{name}' must be a single value (text, number or boolean), found {StructuredText.Describe(value)}.");
            }
        }

        return template is null ? null : new OutputStorage(template, parameters, reader.At(storage));
    }

    private static List<ProductInput> ReadInputs(NodeReader reader, YamlSequenceNode? sequence)
    {
        var inputs = new List<ProductInput>();
        foreach (var (item, path) in reader.Mappings(sequence, "inputs"))
        {
            var product = reader.String(item, "product", path, required: true);
            var output = reader.String(item, "output", path);
            if (product is not null)
            {
                inputs.Add(new ProductInput(product, output, reader.At(item)));
            }
        }

        return inputs;
    }

    private static T? ReadEnum<T>(NodeReader reader, YamlMappingNode map, string key, string path = "")
        where T : struct, Enum
    {
        var text = reader.String(map, key, path);
        if (text is null)
        {
            return null;
        }

        if (Enum.TryParse<T>(text, ignoreCase: true, out var value) && !int.TryParse(text, out _))
        {
            return value;
        }

        var allowed = string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()));
        reader.Error(NodeReader.Child(map, key)!, NodeReader.Join(path, key), $"'{text}' is not a valid {key}: use one of {allowed}.");
        return null;
    }

    // A misspelt field would otherwise be silently ignored ("desription").
    private static void ReportUnknownFields(NodeReader reader, YamlMappingNode map, string path, HashSet<string> known)
    {
        foreach (var key in map.Children.Keys.OfType<YamlScalarNode>())
        {
            if (key.Value is not null && !known.Contains(key.Value) && !key.Value.StartsWith("x-", StringComparison.Ordinal))
            {
                reader.Error(key, NodeReader.Join(path, key.Value),
                    $"Unknown field '{key.Value}'. Known fields: {string.Join(", ", known.Where(k => k != "$schema"))}; extensions start with 'x-'.");
            }
        }
    }
}
