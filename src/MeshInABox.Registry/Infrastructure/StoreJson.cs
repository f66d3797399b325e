using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshInABox.Registry.Infrastructure;

/// <summary>
/// How jsonb columns and event payloads are written and read: the web defaults (camelCase), and enums by their
/// lower-case names, so a stored output says "kind": "csv" as the API does.
/// </summary>
internal static class StoreJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerOptions.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static IReadOnlyList<T> List<T>(string json) => JsonSerializer.Deserialize<List<T>>(json, Options) ?? [];

    /// <summary>An enum column: written by <see cref="Products.EnumNames.Of{T}"/>, guarded by the schema's checks.</summary>
    public static T Enum<T>(string text)
        where T : struct, Enum => System.Enum.Parse<T>(text, ignoreCase: true);
}
