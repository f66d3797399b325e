using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshInABox.Cli.Rendering;

/// <summary>One JSON shape for every <c>--format json</c> output: camelCase, enums as text, indented.</summary>
public static class CliJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static void Write(object value) => Console.WriteLine(JsonSerializer.Serialize(value, Options));
}
