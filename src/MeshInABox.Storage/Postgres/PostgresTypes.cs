using System.Globalization;
using System.Text.RegularExpressions;
using MeshInABox.Domain.Contracts;

namespace MeshInABox.Storage.Postgres;

/// <summary>
/// The PostgreSQL column types a contract property maps to, in the spelling of <c>format_type()</c> so that
/// what is declared and what the catalog holds compare as text. A property's physicalType is used when it is a
/// type of the list below (with its length, precision or <c>[]</c>); otherwise its logicalType decides. Only
/// types of this list are ever written into DDL: a physicalType is never spliced into SQL as written.
/// </summary>
internal static partial class PostgresTypes
{
    private static readonly Dictionary<string, string> Canonical = new(StringComparer.OrdinalIgnoreCase)
    {
        ["smallint"] = "smallint", ["int2"] = "smallint",
        ["integer"] = "integer", ["int"] = "integer", ["int4"] = "integer",
        ["bigint"] = "bigint", ["int8"] = "bigint",
        ["real"] = "real", ["float4"] = "real",
        ["double precision"] = "double precision", ["float8"] = "double precision", ["float"] = "double precision",
        ["numeric"] = "numeric", ["decimal"] = "numeric",
        ["boolean"] = "boolean", ["bool"] = "boolean",
        ["text"] = "text",
        ["varchar"] = "character varying", ["character varying"] = "character varying",
        ["char"] = "character", ["character"] = "character", ["bpchar"] = "character",
        ["date"] = "date",
        ["timestamp"] = "timestamp without time zone", ["timestamp without time zone"] = "timestamp without time zone",
        ["timestamptz"] = "timestamp with time zone", ["timestamp with time zone"] = "timestamp with time zone",
        ["time"] = "time without time zone", ["time without time zone"] = "time without time zone",
        ["timetz"] = "time with time zone", ["time with time zone"] = "time with time zone",
        ["interval"] = "interval",
        ["uuid"] = "uuid", ["json"] = "json", ["jsonb"] = "jsonb", ["bytea"] = "bytea", ["inet"] = "inet",
    };

    // Types that take (n) or (p, s).
    private static readonly HashSet<string> Sized = ["numeric", "character varying", "character"];

    /// <summary>
    /// The type of a logical type and its ODCS logicalTypeOptions: <c>format</c> of integers (i8...u128) and numbers
    /// (f32, f64), <c>timezone</c> of timestamps and times. Without options: bigint, numeric, timestamptz.
    /// </summary>
    public static string ForLogical(SchemaProperty property)
    {
        var format = property.LogicalTypeOptions.GetValueOrDefault("format")?.Trim().ToLowerInvariant();
        var timezone = property.LogicalTypeOptions.GetValueOrDefault("timezone")?.Trim().ToLowerInvariant();
        return property.LogicalType switch
        {
            LogicalType.String => "text",
            LogicalType.Integer => format switch
            {
                "i8" or "u8" or "i16" => "smallint",
                "u16" or "i32" => "integer",
                "u32" or "i64" => "bigint",
                // Wider than bigint: exact, unbounded.
                "u64" or "i128" or "u128" => "numeric",
                _ => "bigint",
            },
            LogicalType.Number => format switch
            {
                "f32" => "real",
                "f64" => "double precision",
                _ => "numeric",
            },
            LogicalType.Boolean => "boolean",
            LogicalType.Date => "date",
            LogicalType.Timestamp => timezone == "false" ? "timestamp without time zone" : "timestamp with time zone",
            LogicalType.Time => timezone == "true" ? "time with time zone" : "time without time zone",
            LogicalType.Object or LogicalType.Array => "jsonb",
            _ => "text",
        };
    }

    /// <summary>A property's column type, and a note when its physicalType was not a PostgreSQL type this template writes.</summary>
    public static (string Type, string? Note) For(SchemaProperty property)
    {
        if (property.PhysicalType is { } physical && !string.IsNullOrWhiteSpace(physical))
        {
            if (Normalize(physical) is { } type)
            {
                return (type, null);
            }

            var fallback = ForLogical(property);
            return (fallback, $"physicalType '{physical}' of {property.Name} is not a PostgreSQL type this template writes; {fallback} from its logicalType");
        }

        return (ForLogical(property), null);
    }

    /// <summary>The <c>format_type()</c> spelling of a type name, or null when it is not one of the list.</summary>
    public static string? Normalize(string text)
    {
        var match = TypePattern().Match(text.Trim());
        if (!match.Success)
        {
            return null;
        }

        var name = WhiteSpace().Replace(match.Groups["name"].Value, " ");
        if (!Canonical.TryGetValue(name, out var canonical))
        {
            return null;
        }

        var array = match.Groups["array"].Success ? "[]" : "";
        if (!match.Groups["size"].Success)
        {
            // PostgreSQL's char without a length is char(1).
            return (canonical == "character" ? "character(1)" : canonical) + array;
        }

        if (!Sized.Contains(canonical))
        {
            return null;
        }

        var first = int.Parse(match.Groups["first"].Value, CultureInfo.InvariantCulture);
        if (match.Groups["second"].Success)
        {
            return canonical == "numeric"
                ? string.Create(CultureInfo.InvariantCulture, $"numeric({first},{int.Parse(match.Groups["second"].Value, CultureInfo.InvariantCulture)})") + array
                : null;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{canonical}({first})") + array;
    }

    [GeneratedRegex(@"^(?<name>[A-Za-z][A-Za-z0-9]*(?:\s+[A-Za-z][A-Za-z0-9]*)*)\s*(?<size>\(\s*(?<first>\d{1,4})\s*(?:,\s*(?<second>\d{1,4})\s*)?\))?\s*(?<array>\[\])?$")]
    private static partial Regex TypePattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}
