using System.Globalization;
using System.Text.RegularExpressions;

namespace MeshInABox.Storage.Provisioning;

/// <summary>
/// How long to keep data, as the templates' <c>retention</c> parameters write it: a whole number from 1 to 9999999
/// and a unit, <c>d</c> (days), <c>h</c> (hours) or <c>m</c> (minutes), e.g. <c>30d</c>, <c>12h</c>, <c>30m</c>.
/// </summary>
internal static partial class StorageDurations
{
    /// <summary>The duration in milliseconds, or null when <paramref name="text"/> is not one in one of <paramref name="units"/> (e.g. "dh").</summary>
    public static long? Milliseconds(string text, string units)
    {
        if (Duration().Match(text) is not { Success: true } m || !units.Contains(m.Groups[2].Value[0], StringComparison.Ordinal))
        {
            return null;
        }

        var unit = m.Groups[2].Value switch { "d" => 86_400_000L, "h" => 3_600_000L, _ => 60_000L };
        return long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * unit;
    }

    [GeneratedRegex("^([1-9][0-9]{0,6})(d|h|m)$", RegexOptions.CultureInvariant)]
    private static partial Regex Duration();
}
