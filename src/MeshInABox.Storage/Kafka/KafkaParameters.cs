using System.Globalization;
using MeshInABox.Storage.Provisioning;

namespace MeshInABox.Storage.Kafka;

/// <summary>
/// The kafka template's parameters: <c>partitions</c> (1..1000, default 3), <c>retention</c> (<c>7d</c>, <c>12h</c>,
/// <c>30m</c> or <c>forever</c>; left out: the broker's default) and <c>replicationFactor</c> (default -1: the broker's).
/// </summary>
/// <param name="RetentionMs">retention.ms to set (-1 for forever); null to leave the broker's default.</param>
internal sealed record KafkaParameters(int Partitions, long? RetentionMs, short ReplicationFactor)
{
    public const string PartitionsName = "partitions";
    public const string RetentionName = "retention";
    public const string ReplicationFactorName = "replicationFactor";
    public const int DefaultPartitions = 3;
    public const int MaxPartitions = 1000;

    private static readonly string[] Known = [PartitionsName, RetentionName, ReplicationFactorName];

    /// <summary>The parameters, or null with each refusal added to <paramref name="errors"/> as "parameter: reason".</summary>
    public static KafkaParameters? Parse(StorageSpec spec, List<string> errors)
    {
        var before = errors.Count;
        foreach (var name in spec.Parameters.Keys.Where(k => !Known.Contains(k, StringComparer.Ordinal)).Order(StringComparer.Ordinal))
        {
            errors.Add($"{name}: not a parameter of the kafka template; it takes {string.Join(", ", Known)}.");
        }

        var partitions = DefaultPartitions;
        if (spec.Parameter(PartitionsName) is { } p
            && !(int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out partitions) && partitions is >= 1 and <= MaxPartitions))
        {
            errors.Add($"{PartitionsName}: '{p}' is not a partition count; use a whole number from 1 to {MaxPartitions}.");
        }

        long? retention = null;
        if (spec.Parameter(RetentionName) is { } r)
        {
            retention = ParseRetention(r);
            if (retention is null)
            {
                errors.Add($"{RetentionName}: '{r}' is not a retention; use minutes, hours or days (30m, 12h, 7d) or forever.");
            }
        }

        short replication = -1;
        if (spec.Parameter(ReplicationFactorName) is { } f
            && !(short.TryParse(f, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out replication) && replication is -1 or >= 1))
        {
            errors.Add($"{ReplicationFactorName}: '{f}' is not a replication factor; use a whole number from 1 to {short.MaxValue}, or -1 for the broker's default.");
        }

        return errors.Count == before ? new KafkaParameters(partitions, retention, replication) : null;
    }

    /// <summary>Kafka's retention.ms for a retention text; -1 keeps messages forever; null when the text is not one.</summary>
    public static long? ParseRetention(string text) => text == "forever" ? -1 : StorageDurations.Milliseconds(text, "dhm");
}
