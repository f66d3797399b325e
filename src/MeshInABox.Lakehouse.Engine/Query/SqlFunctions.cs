using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MeshInABox.Lakehouse.Engine.Query;

/// <summary>
/// Which scalar functions a query may call. Refused: those that describe the database the query runs in or the
/// server around it (settings, environment, catalogs, other views' definitions), and size-amplifying calls
/// (repeat, lpad, range...) whose result could be larger than <see cref="MaxManufacturedBytes"/>: strings and lists
/// DuckDB builds live outside its buffer manager, so its memory limit does not bound them
/// (<c>length(repeat('x', 2000000000))</c> took the process to 4.2 GB).
/// </summary>
public static partial class SqlFunctions
{
    /// <summary>The largest value (bytes of a string, 8 bytes per list element) one call may make.</summary>
    public const long MaxManufacturedBytes = 1_000_000;

    /// <summary>What a column or other non-constant operand is assumed to hold when sizing a result.</summary>
    private const long UnknownBytes = 1_000;

    private static readonly HashSet<string> Introspection = new(StringComparer.OrdinalIgnoreCase)
    {
        "current_setting", "getenv", "getvariable", "current_database", "current_catalog", "current_schema", "current_schemas",
        "current_query", "current_query_id", "current_connection_id", "current_transaction_id", "current_role", "current_user",
        "session_user", "user", "in_search_path", "col_description", "obj_description", "shobj_description", "format_pg_type",
        "format_type", "map_to_pg_oid", "get_block_size", "json_serialize_sql", "json_deserialize_sql", "json_serialize_plan",
        "json_execute_serialized_sql", "version", "txid_current", "which_secret", "sleep_ms",
    };

    /// <exception cref="QueryRejectedException">The function is not allowed, or could make too large a value.</exception>
    internal static void Check(JsonElement function, int position)
    {
        var name = function.GetProperty("function_name").GetString() ?? "";
        if (Introspection.Contains(name)
            || name.StartsWith("duckdb_", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("pragma_", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("inet_", StringComparison.OrdinalIgnoreCase)
            || (name.StartsWith("pg_", StringComparison.OrdinalIgnoreCase) && !name.Equals("pg_typeof", StringComparison.OrdinalIgnoreCase))
            || (name.StartsWith("has_", StringComparison.OrdinalIgnoreCase) && name.EndsWith("_privilege", StringComparison.OrdinalIgnoreCase)))
        {
            throw new QueryRejectedException(
                $"Function '{name}' is not allowed: it describes the database or server the query runs on, not the data products.", position, forbidden: true);
        }

        if (Amplifies(name))
        {
            var (bytes, _) = Size(function);
            if (bytes > MaxManufacturedBytes)
            {
                throw new QueryRejectedException(
                    $"'{name}(...)' could make a value of {Shown(bytes)}; one value may be at most {Shown(MaxManufacturedBytes)} " +
                    "(its size argument must be a constant small enough).", position, forbidden: true);
            }
        }
    }

    private static bool Amplifies(string name) => name.ToLowerInvariant() is "repeat" or "lpad" or "rpad" or "range" or "generate_series"
        or "list_resize" or "array_resize" or "printf" or "format" or "bar" or "to_base" or "replace" or "regexp_replace" or "bitstring"
        or "equi_width_bins";

    /// <summary>An upper bound of the bytes an expression's value takes, and whether it is a constant.</summary>
    private static (long Bytes, bool Constant) Size(JsonElement expression)
    {
        var type = expression.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        if (type == "VALUE_CONSTANT")
        {
            var value = expression.GetProperty("value");
            return value.TryGetProperty("value", out var literal) && literal.ValueKind == JsonValueKind.String
                ? (Encoding.UTF8.GetByteCount(literal.GetString()!), true)
                : (16, true);
        }

        if (type == "OPERATOR_CAST")
        {
            return Size(expression.GetProperty("child"));
        }

        if (type != "FUNCTION")
        {
            return (UnknownBytes, false);
        }

        var name = expression.GetProperty("function_name").GetString()!.ToLowerInvariant();
        var args = expression.GetProperty("children").EnumerateArray().ToList();
        var sizes = args.Select(Size).ToList();
        var sum = Saturating(sizes.Select(s => s.Bytes));
        switch (name)
        {
            case "repeat" when args.Count == 2:
                return (Multiply(sizes[0].Bytes, Count(args[1], name)), sizes.All(s => s.Constant));
            case "lpad" or "rpad" or "bitstring" when args.Count >= 2:
                return (Count(args[1], name) * 4, sizes.All(s => s.Constant));
            case "list_resize" or "array_resize" when args.Count >= 2:
                return (Multiply(Count(args[1], name), Math.Max(8, args.Count > 2 ? sizes[2].Bytes : 8)), sizes.All(s => s.Constant));
            case "to_base" when args.Count == 3:
                return (Math.Max(64, Count(args[2], name)), sizes.All(s => s.Constant));
            case "equi_width_bins" when args.Count >= 3:
                return (Multiply(Count(args[2], name), 16), sizes.All(s => s.Constant));
            case "bar" when args.Count == 4:
                return (Multiply(Count(args[3], name), 3), sizes.All(s => s.Constant));
            case "range" or "generate_series":
                return (Multiply(Elements(args, name), 8), true);
            case "replace" or "regexp_replace" when args.Count >= 3:
                // Every character may be replaced by the whole replacement.
                return (Multiply(sizes[0].Bytes, Math.Max(1, sizes[2].Bytes)), sizes.All(s => s.Constant));
            case "printf" or "format" when args.Count >= 1:
                return (Saturating([sum, FormatWidths(args[0], name)]), sizes.All(s => s.Constant));
            default:
                return (sum, sizes.All(s => s.Constant));
        }
    }

    /// <summary>A size argument: an integer constant, else the call is refused.</summary>
    private static long Count(JsonElement argument, string name) => Integer(argument) is { } n
        ? Math.Max(0, n)
        : throw new QueryRejectedException(
            $"'{name}(...)' needs a constant size argument here (at most {Shown(MaxManufacturedBytes)} per value): a computed one could make any size.", forbidden: true);

    /// <summary>How many elements range/generate_series make: every bound must be a constant.</summary>
    private static long Elements(IReadOnlyList<JsonElement> args, string name)
    {
        var values = args.Select(a => Integer(a) ?? throw new QueryRejectedException(
            $"'{name}(...)' as a scalar needs constant integer bounds (at most {MaxManufacturedBytes / 8:N0} elements).", forbidden: true)).ToList();
        var (start, stop, step) = values.Count switch
        {
            1 => (0L, values[0], 1L),
            2 => (values[0], values[1], 1L),
            _ => (values[0], values[1], values[2]),
        };
        if (step == 0)
        {
            return 0;
        }

        var span = (decimal)stop - start;
        return span / step <= 0 ? 0 : (long)Math.Min(long.MaxValue, Math.Ceiling(span / step) + 1);
    }

    /// <summary>Widths in a format string (<c>%2000000000d</c>, <c>{:>2000000000}</c>); a computed format or width is refused.</summary>
    private static long FormatWidths(JsonElement format, string name)
    {
        var text = format.GetProperty("type").GetString() == "VALUE_CONSTANT"
            && format.GetProperty("value").TryGetProperty("value", out var literal) && literal.ValueKind == JsonValueKind.String
            ? literal.GetString()!
            : throw new QueryRejectedException($"'{name}(...)' needs a constant format string.", forbidden: true);
        if (text.Contains('*', StringComparison.Ordinal) || NestedField().IsMatch(text))
        {
            throw new QueryRejectedException($"'{name}(...)' may not take its width from an argument ('*' or '{{}}' inside a field).", forbidden: true);
        }

        return Saturating(Digits().Matches(text).Select(m => long.TryParse(m.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : long.MaxValue));
    }

    private static long? Integer(JsonElement expression)
    {
        while (expression.GetProperty("type").GetString() == "OPERATOR_CAST")
        {
            expression = expression.GetProperty("child");
        }

        if (expression.GetProperty("type").GetString() == "OPERATOR_UNARY_NEGATE" || expression.TryGetProperty("function_name", out var f) && f.GetString() == "-"
            && expression.GetProperty("children").GetArrayLength() == 1)
        {
            return -Integer(expression.GetProperty("children")[0]);
        }

        if (expression.GetProperty("type").GetString() != "VALUE_CONSTANT")
        {
            return null;
        }

        var value = expression.GetProperty("value");
        return value.TryGetProperty("value", out var literal) && literal.ValueKind == JsonValueKind.Number
            ? literal.TryGetInt64(out var n) ? n : literal.TryGetDecimal(out var d) ? (long)Math.Clamp(d, long.MinValue, long.MaxValue) : long.MaxValue
            : literal.ValueKind == JsonValueKind.String && long.TryParse(literal.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : null;
    }

    private static long Multiply(long a, long b) => a == 0 || b == 0 ? 0 : a > long.MaxValue / b ? long.MaxValue : a * b;

    private static long Saturating(IEnumerable<long> values) => values.Aggregate(0L, (a, b) => a > long.MaxValue - b ? long.MaxValue : a + b);

    private static string Shown(long bytes) => bytes >= 1_000_000 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1_000_000.0:0.#} MB") : string.Create(CultureInfo.InvariantCulture, $"{bytes:N0} bytes");

    [GeneratedRegex(@"\{[^}]*\{")]
    private static partial Regex NestedField();

    [GeneratedRegex(@"\d+")]
    private static partial Regex Digits();
}
