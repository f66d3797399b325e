using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MeshInABox.Domain.Documents;

/// <summary>
/// Typed reads from a node tree that collect positioned errors instead of
/// stopping at the first, so one run reports everything wrong in a file.
/// </summary>
public sealed class NodeReader(string file)
{
    private readonly List<DocumentError> _errors = [];

    public string File => file;

    public IReadOnlyList<DocumentError> Errors => _errors;

    public SourceLocation At(YamlNode node) => StructuredText.Locate(file, node);

    public void Error(YamlNode node, string path, string message) => _errors.Add(new DocumentError(At(node), message, path));

    public void Error(SourceLocation at, string path, string message) => _errors.Add(new DocumentError(at, message, path));

    public static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    public string? String(YamlMappingNode map, string key, string path, bool required = false)
    {
        var node = Child(map, key);
        if (node is null || IsNull(node))
        {
            if (required)
            {
                Error(node ?? map, Join(path, key), $"'{key}' is required.");
            }

            return null;
        }

        if (node is YamlScalarNode scalar)
        {
            return scalar.Value;
        }

        Error(node, Join(path, key), $"'{key}' must be text, found {StructuredText.Describe(node)}.");
        return null;
    }

    public bool? Bool(YamlMappingNode map, string key, string path)
    {
        var text = Scalar(map, key, path, "true or false");
        if (text is null)
        {
            return null;
        }

        if (bool.TryParse(text, out var value))
        {
            return value;
        }

        Error(Child(map, key)!, Join(path, key), $"'{key}' must be true or false, found '{text}'.");
        return null;
    }

    public long? Integer(YamlMappingNode map, string key, string path)
    {
        var text = Scalar(map, key, path, "a whole number");
        if (text is null)
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        Error(Child(map, key)!, Join(path, key), $"'{key}' must be a whole number, found '{text}'.");
        return null;
    }

    public YamlSequenceNode? Sequence(YamlMappingNode map, string key, string path, bool required = false)
    {
        var node = Child(map, key);
        if (node is null || IsNull(node))
        {
            if (required)
            {
                Error(node ?? map, Join(path, key), $"'{key}' is required.");
            }

            return null;
        }

        if (node is YamlSequenceNode sequence)
        {
            return sequence;
        }

        Error(node, Join(path, key), $"'{key}' must be a list, found {StructuredText.Describe(node)}.");
        return null;
    }

    public YamlMappingNode? Mapping(YamlMappingNode map, string key, string path)
    {
        var node = Child(map, key);
        if (node is null || IsNull(node))
        {
            return null;
        }

        if (node is YamlMappingNode mapping)
        {
            return mapping;
        }

        Error(node, Join(path, key), $"'{key}' must be a mapping, found {StructuredText.Describe(node)}.");
        return null;
    }

    /// <summary>Mappings of a list; other items are reported and skipped.</summary>
    public IEnumerable<(YamlMappingNode Item, string Path)> Mappings(YamlSequenceNode? sequence, string path)
    {
        if (sequence is null)
        {
            yield break;
        }

        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            if (sequence.Children[i] is YamlMappingNode item)
            {
                yield return (item, itemPath);
            }
            else
            {
                Error(sequence.Children[i], itemPath, $"Expected a mapping, found {StructuredText.Describe(sequence.Children[i])}.");
            }
        }
    }

    public IReadOnlyList<string> Strings(YamlMappingNode map, string key, string path)
    {
        var sequence = Sequence(map, key, path);
        if (sequence is null)
        {
            return [];
        }

        var values = new List<string>();
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            if (sequence.Children[i] is YamlScalarNode { Value: { } value } && !IsNull(sequence.Children[i]))
            {
                values.Add(value);
            }
            else
            {
                Error(sequence.Children[i], $"{Join(path, key)}[{i}]", $"Expected text, found {StructuredText.Describe(sequence.Children[i])}.");
            }
        }

        return values;
    }

    public static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    private string? Scalar(YamlMappingNode map, string key, string path, string expected)
    {
        var node = Child(map, key);
        if (node is null || IsNull(node))
        {
            return null;
        }

        if (node is YamlScalarNode scalar)
        {
            return scalar.Value;
        }

        Error(node, Join(path, key), $"'{key}' must be {expected}, found {StructuredText.Describe(node)}.");
        return null;
    }
}
