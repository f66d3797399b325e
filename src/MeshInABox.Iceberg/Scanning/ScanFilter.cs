using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;
using MeshInABox.Iceberg.Manifests;
using MeshInABox.Iceberg.Metadata;

namespace MeshInABox.Iceberg.Scanning;

/// <summary>An inclusive range a query keeps of one column (null ends are open).</summary>
public sealed record ColumnRange(string Column, object? Min, object? Max);

/// <summary>
/// Ranges a query keeps, used to skip whole data files: by the partition value
/// (identity, day, month) and by the column bounds every file records.
/// Skipping only ever drops files that cannot hold a matching row; the query
/// still applies its own WHERE.
/// </summary>
public sealed record ScanFilter(IReadOnlyList<ColumnRange> Ranges)
{
    public static ScanFilter None { get; } = new([]);

    public bool MayMatch(ContentFile file, IcebergSchema schema, PartitionSpec spec)
    {
        foreach (var range in Ranges)
        {
            var field = schema.Fields.FirstOrDefault(f => f.Name == range.Column);
            if (field is null)
            {
                continue;
            }

            var min = Comparable(field.Type, range.Min);
            var max = Comparable(field.Type, range.Max);
            if (file.LowerBounds.TryGetValue(field.Id, out var lowerBytes) && Decode(field.Type, lowerBytes) is { } lower && max is not null && lower.CompareTo(max) > 0)
            {
                return false;
            }

            if (file.UpperBounds.TryGetValue(field.Id, out var upperBytes) && Decode(field.Type, upperBytes) is { } upper && min is not null && upper.CompareTo(min) < 0)
            {
                return false;
            }

            foreach (var partition in spec.Fields.Where(p => p.SourceId == field.Id))
            {
                if (file.Partition.GetValueOrDefault(partition.Name) is not { } value || !OutsidePartition(partition.Transform, field.Type, value, range))
                {
                    continue;
                }

                return false;
            }
        }

        return true;
    }

    private static bool OutsidePartition(string transform, string type, object value, ColumnRange range)
    {
        long Bucket(object bound) => transform switch
        {
            Transforms.Day => Days(type, bound),
            Transforms.Month => Months(type, bound),
            _ => 0,
        };

        if (transform == Transforms.Identity)
        {
            var v = Comparable(type, value);
            return v is not null
                && ((range.Min is not null && v.CompareTo(Comparable(type, range.Min)) < 0) || (range.Max is not null && v.CompareTo(Comparable(type, range.Max)) > 0));
        }

        var partition = value is DateTime dt ? (long)(DateOnly.FromDateTime(dt).DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber) : Convert.ToInt64(value, CultureInfo.InvariantCulture);
        return (range.Min is not null && partition < Bucket(range.Min)) || (range.Max is not null && partition > Bucket(range.Max));
    }

    private static long Days(string type, object bound) =>
        Comparable(type, bound) is long units ? (type is "date" ? units : (long)Math.Floor(units / 86_400_000_000d)) : 0;

    private static long Months(string type, object bound)
    {
        var days = Days(type, bound);
        var date = DateOnly.FromDateTime(DateTime.UnixEpoch).AddDays((int)days);
        return ((date.Year - 1970) * 12) + date.Month - 1;
    }

    /// <summary>A filter value in the same comparable form as decoded bounds.</summary>
    private static IComparable? Comparable(string type, object? value) => value switch
    {
        null => null,
        DateOnly d when type == "date" => (long)(d.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber),
        DateTime d when type == "date" => (long)(DateOnly.FromDateTime(d).DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber),
        DateTime d when type is "timestamp" or "timestamptz" => (DateTime.SpecifyKind(d, DateTimeKind.Utc) - DateTime.UnixEpoch).Ticks / 10,
        DateTimeOffset d when type is "timestamp" or "timestamptz" => (d.UtcDateTime - DateTime.UnixEpoch).Ticks / 10,
        string s when type == "string" => new OrdinalString(s),
        _ when type is "int" or "long" => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        _ when type is "float" or "double" => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        _ when type.StartsWith("decimal", StringComparison.Ordinal) => Convert.ToDecimal(value, CultureInfo.InvariantCulture),
        _ => null,
    };

    /// <summary>Bounds per the spec's binary single-value serialization.</summary>
    private static IComparable? Decode(string type, byte[] bytes) => type switch
    {
        "int" or "date" => (long)BinaryPrimitives.ReadInt32LittleEndian(bytes),
        "long" or "timestamp" or "timestamptz" or "time" => BinaryPrimitives.ReadInt64LittleEndian(bytes),
        "float" => (double)BinaryPrimitives.ReadSingleLittleEndian(bytes),
        "double" => BinaryPrimitives.ReadDoubleLittleEndian(bytes),
        "string" => new OrdinalString(Encoding.UTF8.GetString(bytes)),
        _ when type.StartsWith("decimal", StringComparison.Ordinal) => Decimal(type, bytes),
        _ => null,
    };

    private static decimal Decimal(string type, byte[] bytes)
    {
        var scale = int.Parse(type[(type.IndexOf(',', StringComparison.Ordinal) + 1)..].TrimEnd(')').Trim(), CultureInfo.InvariantCulture);
        return (decimal)new BigInteger(bytes, isUnsigned: false, isBigEndian: true) / (decimal)BigInteger.Pow(10, scale);
    }

    /// <summary>Iceberg compares strings by their UTF-8 bytes, which for valid text is ordinal order.</summary>
    private sealed record OrdinalString(string Value) : IComparable
    {
        public int CompareTo(object? obj) => string.CompareOrdinal(Value, (obj as OrdinalString)?.Value);
    }
}
