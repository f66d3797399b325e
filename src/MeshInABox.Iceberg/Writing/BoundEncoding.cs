using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace MeshInABox.Iceberg.Writing;

/// <summary>Column bounds in the spec's binary single-value serialization (appendix D).</summary>
public static class BoundEncoding
{
    /// <summary>Strings longer than this get no bounds rather than a wrong one.</summary>
    public const int MaxStringBytes = 64;

    public static byte[]? Encode(string icebergType, object? value)
    {
        switch (value)
        {
            case null:
                return null;
            case bool b when icebergType == "boolean":
                return [b ? (byte)1 : (byte)0];
            case string s when icebergType == "string":
                var bytes = Encoding.UTF8.GetBytes(s);
                return bytes.Length <= MaxStringBytes ? bytes : null;
        }

        if (icebergType.StartsWith("decimal", StringComparison.Ordinal) && value is decimal d)
        {
            var scale = int.Parse(icebergType[(icebergType.IndexOf(',', StringComparison.Ordinal) + 1)..].TrimEnd(')').Trim(), System.Globalization.CultureInfo.InvariantCulture);
            var unscaled = new BigInteger(decimal.Round(d * Pow10(scale)));
            return unscaled.ToByteArray(isUnsigned: false, isBigEndian: true);
        }

        return icebergType switch
        {
            "int" => Int32(Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture)),
            "long" => Int64(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)),
            "float" => Float(Convert.ToSingle(value, System.Globalization.CultureInfo.InvariantCulture)),
            "double" => Double(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)),
            "date" => Int32(value switch
            {
                DateOnly date => date.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber,
                DateTime dateTime => DateOnly.FromDateTime(dateTime).DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber,
                _ => throw new ArgumentException($"Not a date: {value}"),
            }),
            "timestamp" or "timestamptz" => Int64(value switch
            {
                DateTime dateTime => (DateTime.SpecifyKind(dateTime, DateTimeKind.Utc) - DateTime.UnixEpoch).Ticks / 10,
                DateTimeOffset offset => (offset.UtcDateTime - DateTime.UnixEpoch).Ticks / 10,
                _ => throw new ArgumentException($"Not a timestamp: {value}"),
            }),
            _ => null,
        };
    }

    private static decimal Pow10(int scale)
    {
        var result = 1m;
        for (var i = 0; i < scale; i++)
        {
            result *= 10;
        }

        return result;
    }

    private static byte[] Int32(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        return bytes;
    }

    private static byte[] Int64(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return bytes;
    }

    private static byte[] Float(float value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        return bytes;
    }

    private static byte[] Double(double value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(bytes, value);
        return bytes;
    }
}
