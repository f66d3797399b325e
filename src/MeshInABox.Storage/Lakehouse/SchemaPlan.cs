using MeshInABox.Domain.Contracts;
using MeshInABox.Iceberg.Metadata;
using MeshInABox.Lakehouse.Engine.Tables;

namespace MeshInABox.Storage.Lakehouse;

/// <summary>
/// What an existing table's schema needs to match its contract: nothing, optional columns added (Iceberg reads them as
/// null in the files written before), or a refusal. Anything that would need the data rewritten — a dropped or retyped
/// column, a new required one, a change of requiredness — is refused with the reason, never done silently.
/// </summary>
internal sealed record SchemaPlan(IReadOnlyList<(string Name, string Type)> AddColumns, string? Refusal)
{
    public bool Unchanged => Refusal is null && AddColumns.Count == 0;

    public static SchemaPlan For(IcebergSchema table, SchemaObject contract)
    {
        var problems = new List<string>();
        foreach (var field in table.Fields)
        {
            var property = contract.Property(field.Name);
            if (property is null)
            {
                problems.Add($"column '{field.Name}' is in the table but not in the contract (dropping a column is a breaking change)");
                continue;
            }

            var type = ContractTableSchema.TypeOf(property);
            if (type != field.Type)
            {
                problems.Add($"column '{field.Name}' is {field.Type} in the table but {type} in the contract");
            }

            if (property.Required != field.Required)
            {
                problems.Add($"column '{field.Name}' is {Requiredness(field.Required)} in the table but {Requiredness(property.Required)} in the contract");
            }
        }

        var added = contract.Properties.Where(p => table.Fields.All(f => f.Name != p.Name)).ToList();
        problems.AddRange(added.Where(p => p.Required).Select(p => $"column '{p.Name}' is new and required, but the table's existing rows lack it (add it as optional)"));
        return problems.Count > 0
            ? new SchemaPlan([], $"The table's schema cannot follow the contract without rewriting its data: {string.Join("; ", problems)}. Nothing was changed.")
            : new SchemaPlan([.. added.Select(p => (p.Name, ContractTableSchema.TypeOf(p)))], null);
    }

    private static string Requiredness(bool required) => required ? "required" : "optional";
}
