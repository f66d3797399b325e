namespace MeshInABox.Registry.Products;

/// <summary>
/// The one spelling of the registry's enums in the database, in JSON and in messages: the member's name in lower
/// case ("active", "csv", "open"). Parsing takes a member's name only, never a number or a comma-separated list.
/// </summary>
public static class EnumNames
{
    public static string Of<T>(T value)
        where T : struct, Enum => value.ToString().ToLowerInvariant();

    /// <param name="ignoreCase">Whether "Active" reads like "active" (request fields do; the status filter does not).</param>
    public static T? Parse<T>(string? text, bool ignoreCase = false)
        where T : struct, Enum
    {
        var comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        foreach (var value in Enum.GetValues<T>())
        {
            if (string.Equals(Of(value), text, comparison))
            {
                return value;
            }
        }

        return null;
    }
}

/// <summary>An enum in an API answer written as <see cref="EnumNames"/> spells it, for records that are answers as they are.</summary>
public sealed class EnumNameConverter<T>() : System.Text.Json.Serialization.JsonStringEnumConverter<T>(new LowerCase())
    where T : struct, Enum
{
    private sealed class LowerCase : System.Text.Json.JsonNamingPolicy
    {
        public override string ConvertName(string name) => name.ToLowerInvariant();
    }
}
