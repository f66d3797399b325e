namespace MeshInABox.Iceberg.Metadata;

/// <summary>Partition transforms this project writes: identity, day and month (spec: "Partition Transforms").</summary>
public static class Transforms
{
    public const string Identity = "identity";
    public const string Day = "day";
    public const string Month = "month";

    /// <summary>The Avro type of a transform's result, for the manifest's partition record.</summary>
    public static string ResultAvroType(string transform, string sourceType) => transform switch
    {
        // Spec: day and month results are ints, days and months since 1970-01-01.
        Day => "\"int\"",
        Month => "\"int\"",
        Identity => sourceType switch
        {
            "boolean" => "\"boolean\"",
            "int" => "\"int\"",
            "long" => "\"long\"",
            "float" => "\"float\"",
            "double" => "\"double\"",
            "date" => """{"type":"int","logicalType":"date"}""",
            "string" => "\"string\"",
            _ => throw new IcebergFormatException($"Identity partitioning on type {sourceType} is not supported."),
        },
        _ => throw new IcebergFormatException($"Partition transform '{transform}' is not supported (identity, day, month)."),
    };

    /// <summary>The DuckDB expression computing a transform's value from a column.</summary>
    public static string DuckDbExpression(string transform, string column) => transform switch
    {
        Identity => column,
        // Days and months since 1970-01-01, as the spec defines them.
        Day => $"CAST(date_diff('day', DATE '1970-01-01', CAST({column} AS DATE)) AS INTEGER)",
        Month => $"CAST(date_diff('month', DATE '1970-01-01', CAST({column} AS DATE)) AS INTEGER)",
        _ => throw new IcebergFormatException($"Partition transform '{transform}' is not supported (identity, day, month)."),
    };
}
