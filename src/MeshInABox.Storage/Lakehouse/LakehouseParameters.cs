using MeshInABox.Storage.Provisioning;

namespace MeshInABox.Storage.Lakehouse;

/// <summary>The lakehouse template's parameters: <c>partitionBy</c> (day, month, none) and <c>retention</c> of old snapshots.</summary>
internal sealed record LakehouseParameters(string? PartitionBy, long? RetentionMs)
{
    public const string PartitionByName = "partitionBy";
    public const string RetentionName = "retention";

    private static readonly string[] Known = [PartitionByName, RetentionName];
    private static readonly string[] Partitionings = ["day", "month", "none"];

    /// <summary>The parameters, or null with each refusal added to <paramref name="errors"/> as "parameter: reason".</summary>
    public static LakehouseParameters? Parse(StorageSpec spec, List<string> errors)
    {
        var before = errors.Count;
        foreach (var name in spec.Parameters.Keys.Where(k => !Known.Contains(k, StringComparer.Ordinal)).Order(StringComparer.Ordinal))
        {
            errors.Add($"{name}: not a parameter of the lakehouse template; it takes {string.Join(", ", Known)}.");
        }

        var partitionBy = spec.Parameter(PartitionByName);
        if (partitionBy is not null && !Partitionings.Contains(partitionBy, StringComparer.Ordinal))
        {
            errors.Add($"{PartitionByName}: '{partitionBy}' is not a partitioning; use day, month or none (left out: the contract's partitioned properties).");
        }

        long? retention = null;
        if (spec.Parameter(RetentionName) is { } text)
        {
            retention = StorageDurations.Milliseconds(text, "dh");
            if (retention is null)
            {
                errors.Add($"{RetentionName}: '{text}' is not how long to keep old snapshots; use days or hours, e.g. 30d or 12h.");
            }
        }

        return errors.Count == before ? new LakehouseParameters(partitionBy, retention) : null;
    }
}
