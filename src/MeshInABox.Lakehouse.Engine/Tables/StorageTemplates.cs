using MeshInABox.Domain.Contracts;
using MeshInABox.Iceberg.Metadata;

namespace MeshInABox.Lakehouse.Engine.Tables;

/// <summary>
/// How a lakehouse table is partitioned, from the output's storage template
/// and the contract's <c>partitioned</c> properties.
/// </summary>
public static class StorageTemplates
{
    public const string Lakehouse = "lakehouse";
    public const string Daily = "lakehouse-daily";
    public const string Monthly = "lakehouse-monthly";

    public static IReadOnlyList<string> All { get; } = [Lakehouse, Daily, Monthly];

    /// <param name="template">null or "lakehouse": the contract's partitioned properties (temporal ones by day).</param>
    public static PartitionSpec SpecFor(string? template, SchemaObject contract, IcebergSchema schema)
    {
        var temporal = template switch
        {
            null or Lakehouse => Transforms.Day,
            Daily => Transforms.Day,
            Monthly => Transforms.Month,
            _ => throw new LakehouseException($"Unknown storage template '{template}': use {string.Join(", ", All)}."),
        };

        var partitioned = contract.Properties.Where(p => p.Partitioned).ToList();
        if (partitioned.Count == 0 && template is Daily or Monthly)
        {
            // A time-partitioned template without a marked column partitions by the first timestamp or date.
            partitioned = [.. contract.Properties.Where(p => p.LogicalType is LogicalType.Timestamp or LogicalType.Date).Take(1)];
            if (partitioned.Count == 0)
            {
                throw new LakehouseException($"Template '{template}' partitions by time, but '{contract.Name}' has no timestamp or date property.");
            }
        }

        var fieldId = 1000;
        return new PartitionSpec(0, [.. partitioned.Select(p =>
        {
            var field = schema.Fields.First(f => f.Name == p.Name);
            var transform = p.LogicalType is LogicalType.Timestamp or LogicalType.Date ? temporal : Transforms.Identity;
            var name = transform == Transforms.Identity ? p.Name : $"{p.Name}_{transform}";
            return new PartitionField(name, transform, field.Id, fieldId++);
        })]);
    }
}
