using System.Text.RegularExpressions;
using MeshInABox.Domain.Contracts;
using MeshInABox.Iceberg.Metadata;

namespace MeshInABox.Lakehouse.Engine.Tables;

/// <summary>
/// The Iceberg schema a contract object describes: logical types to Iceberg
/// types, required to required; columns keep the field ids the table already
/// gave them (matched by name), so data is always read by id.
/// </summary>
public static partial class ContractTableSchema
{
    public static IcebergSchema From(SchemaObject contract, IcebergSchema? existing = null)
    {
        var nextId = existing is null ? 1 : existing.Fields.Max(f => f.Id) + 1;
        var fields = new List<NestedField>();
        foreach (var property in contract.Properties)
        {
            var id = existing?.Fields.FirstOrDefault(f => f.Name == property.Name)?.Id ?? nextId++;
            fields.Add(new NestedField(id, property.Name, property.Required, TypeOf(property), property.Description));
        }

        return new IcebergSchema(existing?.SchemaId ?? 0, fields);
    }

    /// <summary>ODCS logical type (and a decimal physical type) to the Iceberg type.</summary>
    public static string TypeOf(SchemaProperty property)
    {
        if (property.PhysicalType is { } physical && DecimalType().Match(physical) is { Success: true } m)
        {
            return $"decimal({m.Groups[1].Value}, {m.Groups[2].Value})";
        }

        return property.LogicalType switch
        {
            LogicalType.String or null => "string",
            LogicalType.Integer => "long",
            LogicalType.Number => "double",
            LogicalType.Boolean => "boolean",
            LogicalType.Date => "date",
            LogicalType.Timestamp => "timestamptz",
            LogicalType.Time => "time",
            _ => throw new LakehouseException($"Property '{property.Name}' is {property.LogicalType.ToString()!.ToLowerInvariant()}; lakehouse tables take flat columns only."),
        };
    }

    [GeneratedRegex(@"^(?:decimal|numeric)\(\s*(\d+)\s*,\s*(\d+)\s*\)$", RegexOptions.IgnoreCase)]
    private static partial Regex DecimalType();
}
