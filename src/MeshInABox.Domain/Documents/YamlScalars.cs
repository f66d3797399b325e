using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MeshInABox.Domain.Documents;

/// <summary>What a scalar means as data: the kinds JSON has.</summary>
public enum ScalarKind
{
    Null,
    Boolean,
    Integer,
    Number,
    String,
}

/// <summary>
/// Resolves YAML scalars by the YAML 1.2 core schema, the one that agrees with JSON: an unquoted
/// <c>5432</c> is a number and <c>2024-01-02</c> text, anything quoted is text. JSON Schema verdicts
/// depend on these kinds, so the standard's rules and the JSON export use this one resolution.
/// </summary>
public static partial class YamlScalars
{
    private const string StringTag = "tag:yaml.org,2002:str";

    public static ScalarKind KindOf(YamlScalarNode scalar)
    {
        if (!scalar.Tag.IsEmpty && !scalar.Tag.IsNonSpecific)
        {
            return scalar.Tag.Value switch
            {
                StringTag => ScalarKind.String,
                "tag:yaml.org,2002:int" => ScalarKind.Integer,
                "tag:yaml.org,2002:float" => ScalarKind.Number,
                "tag:yaml.org,2002:bool" => ScalarKind.Boolean,
                "tag:yaml.org,2002:null" => ScalarKind.Null,
                _ => ScalarKind.String,
            };
        }

        if (scalar.Style != ScalarStyle.Plain)
        {
            return ScalarKind.String;
        }

        var text = scalar.Value ?? "";
        return text switch
        {
            "" or "~" or "null" or "Null" or "NULL" => ScalarKind.Null,
            "true" or "True" or "TRUE" or "false" or "False" or "FALSE" => ScalarKind.Boolean,
            _ when IntegerPattern().IsMatch(text) => ScalarKind.Integer,
            _ when FloatPattern().IsMatch(text) => IsWhole(text) ? ScalarKind.Integer : ScalarKind.Number,
            _ => ScalarKind.String,
        };
    }

    /// <summary>Any JSON number, whole or not (JSON Schema's <c>number</c> takes integers too).</summary>
    public static bool IsNumber(YamlNode node) => node is YamlScalarNode s && KindOf(s) is ScalarKind.Integer or ScalarKind.Number;

    /// <summary>A whole number; JSON Schema counts 1.0 as an integer.</summary>
    public static bool IsInteger(YamlNode node) => node is YamlScalarNode s && KindOf(s) == ScalarKind.Integer;

    public static bool IsString(YamlNode node) => node is YamlScalarNode s && KindOf(s) == ScalarKind.String;

    public static bool IsBoolean(YamlNode node) => node is YamlScalarNode s && KindOf(s) == ScalarKind.Boolean;

    public static bool IsNull(YamlNode node) => node is YamlScalarNode s && KindOf(s) == ScalarKind.Null;

    /// <summary>The number a numeric scalar stands for, for comparisons (uniqueness, bounds).</summary>
    public static double? Number(YamlNode node)
    {
        if (node is not YamlScalarNode { Value: { } text } scalar || KindOf(scalar) is not (ScalarKind.Integer or ScalarKind.Number))
        {
            return null;
        }

        if (text.StartsWith("0x", StringComparison.Ordinal))
        {
            return Convert.ToInt64(text[2..], 16);
        }

        if (text.StartsWith("0o", StringComparison.Ordinal))
        {
            return Convert.ToInt64(text[2..], 8);
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    /// <summary>The node as JSON data, scalars typed by <see cref="KindOf"/>.</summary>
    public static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(pair =>
            KeyValuePair.Create(((YamlScalarNode)pair.Key).Value ?? "", ToJson(pair.Value)))),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(ToJson)]),
        YamlScalarNode scalar => ScalarToJson(scalar),
        _ => null,
    };

    private static JsonNode? ScalarToJson(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        switch (KindOf(scalar))
        {
            case ScalarKind.Null:
                return null;
            case ScalarKind.Boolean:
                return JsonValue.Create(text.Equals("true", StringComparison.OrdinalIgnoreCase));
            case ScalarKind.Integer when long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole):
                return JsonValue.Create(whole);
            case ScalarKind.Integer or ScalarKind.Number:
                // Keep the written digits: a decimal keeps 0.10 as 0.10, where a double would not.
                if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var exact))
                {
                    return JsonValue.Create(exact);
                }

                return Number(scalar) is { } number && double.IsFinite(number) ? JsonValue.Create(number) : JsonValue.Create(text);
            default:
                return JsonValue.Create(text);
        }
    }

    private static bool IsWhole(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && Math.Floor(value) == value;

    [GeneratedRegex("^([-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$")]
    private static partial Regex FloatPattern();
}
