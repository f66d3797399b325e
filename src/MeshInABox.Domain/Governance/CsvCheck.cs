using System.Globalization;
using CsvHelper;
using MeshInABox.Domain.Contracts;
using MeshInABox.Domain.Documents;

namespace MeshInABox.Domain.Governance;

/// <summary>Checks a CSV file against the contract object it publishes, streaming it once.</summary>
public static class CsvCheck
{
    /// <summary>Past this many bad values per file, only the count is reported.</summary>
    public const int MaxReportedValues = 10;

    public sealed record Problem(string Message, SourceLocation At);

    public static IEnumerable<Problem> Header(DataFile file, SchemaObject contract)
    {
        using var csv = Open(file);
        var header = csv.Headers;
        if (header.Count == 0)
        {
            yield return new Problem($"{file.DisplayPath} is empty: expected a header row.", new(file.DisplayPath, 1, 1));
            yield break;
        }

        var expected = contract.Properties.Select(p => p.Name).ToList();
        foreach (var missing in expected.Where(name => !header.Contains(name, StringComparer.Ordinal)))
        {
            yield return new Problem(
                $"The header has no column '{missing}', which contract object '{contract.Name}' defines.",
                new(file.DisplayPath, 1, HeaderColumn(header, header.Count)));
        }

        for (var i = 0; i < header.Count; i++)
        {
            if (!expected.Contains(header[i], StringComparer.Ordinal))
            {
                yield return new Problem(
                    $"The header has column '{header[i]}', which contract object '{contract.Name}' does not define.",
                    new(file.DisplayPath, 1, HeaderColumn(header, i)));
            }
        }

        foreach (var duplicate in header.GroupBy(h => h, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            yield return new Problem($"The header names column '{duplicate.Key}' more than once.", new(file.DisplayPath, 1, 1));
        }
    }

    public static IEnumerable<Problem> Values(DataFile file, SchemaObject contract)
    {
        using var csv = Open(file);
        var header = csv.Headers;
        var columns = header
            .Select((name, index) => (Index: index, Property: contract.Property(name)))
            .Where(c => c.Property is not null)
            .Select(c => (c.Index, Property: c.Property!, Allowed: c.Property!.AllowedValues is { } values ? new HashSet<string>(values, StringComparer.Ordinal) : null))
            .ToList();

        var reported = 0;
        var more = 0;
        var lastLine = 1;
        while (csv.Read())
        {
            var line = (int)csv.LineNumber;
            lastLine = line;
            if (csv.FieldCount != header.Count)
            {
                if (reported++ < MaxReportedValues)
                {
                    yield return new Problem($"Line {line} has {csv.FieldCount} fields, the header has {header.Count}.", new(file.DisplayPath, line, 1));
                }
                else
                {
                    more++;
                }

                continue;
            }

            foreach (var (index, property, allowed) in columns)
            {
                var problem = Check(csv.GetString(index), property, allowed);
                if (problem is null)
                {
                    continue;
                }

                if (reported++ < MaxReportedValues)
                {
                    yield return new Problem(
                        $"Line {line}, column '{property.Name}': {problem}",
                        new(file.DisplayPath, line, FieldColumn(csv, index)));
                }
                else
                {
                    more++;
                }
            }
        }

        if (more > 0)
        {
            yield return new Problem($"{more} more bad value(s) in {file.DisplayPath} not listed.", new(file.DisplayPath, lastLine, 1));
        }
    }

    /// <summary>Why a value breaks its property's type, requiredness or allowed values; null when it does not.</summary>
    public static string? Check(string value, SchemaProperty property, IReadOnlySet<string>? allowed = null)
    {
        if (value.Length == 0)
        {
            return property.Required ? "a value is required" : null;
        }

        var parses = property.LogicalType switch
        {
            LogicalType.Integer => long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
            LogicalType.Number => decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
            LogicalType.Boolean => value is "true" or "false" or "TRUE" or "FALSE" or "True" or "False",
            LogicalType.Date => DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
            LogicalType.Timestamp => DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _)
                && char.IsDigit(value[0]) && value.Length >= 10,
            LogicalType.Time => TimeOnly.TryParse(value, CultureInfo.InvariantCulture, out _),
            _ => true,
        };
        if (!parses)
        {
            return $"'{value}' is not {Article(property.LogicalType)}";
        }

        return allowed is not null && !allowed.Contains(value)
            ? $"'{value}' is not an allowed value ({string.Join(", ", allowed)})"
            : null;
    }

    private static string Article(LogicalType? type) => type switch
    {
        LogicalType.Integer => "an integer",
        LogicalType.Number => "a number",
        LogicalType.Boolean => "a boolean (true or false)",
        LogicalType.Date => "a date (yyyy-MM-dd)",
        LogicalType.Timestamp => "a timestamp (ISO 8601)",
        LogicalType.Time => "a time (HH:mm:ss)",
        _ => "valid",
    };

    private static CsvReader Open(DataFile file) => CsvReader.Create(file.Open(), Options, leaveOpen: false);

    /// <summary>1-based column where header field <paramref name="index"/> starts (past the last one for a missing column).</summary>
    private static int HeaderColumn(IReadOnlyList<string> header, int index) =>
        1 + header.Take(index).Sum(name => name.Length + 1);

    /// <summary>1-based column where field <paramref name="index"/> of the current record starts.</summary>
    private static int FieldColumn(CsvReader csv, int index)
    {
        var column = 1;
        for (var i = 0; i < index; i++)
        {
            column += csv.GetRawSpan(i).Length + 1;
        }

        return column;
    }

    private static readonly CsvReaderOptions Options = CsvReaderOptions.Default with
    {
        Separator = ',',
        TrackLineNumbers = true,
    };
}
