using MeshInABox.Domain.Contracts;

namespace MeshInABox.Storage.Postgres;

/// <summary>A column as a contract declares it.</summary>
/// <param name="Open">Whether the product's open role may read it (its classification is not a restricted one).</param>
/// <param name="Note">Why the type is not the physicalType as written, when it is not.</param>
internal sealed record DeclaredColumn(string Name, string Type, bool NotNull, string? Comment, bool Open, string? Note);

/// <summary>A table as a contract object declares it: columns in declaration order, the primary key in key order.</summary>
internal sealed record DeclaredTable(string Object, string Name, string? Comment, IReadOnlyList<DeclaredColumn> Columns, IReadOnlyList<string> PrimaryKey)
{
    public DeclaredColumn? Column(string name) => Columns.FirstOrDefault(c => c.Name == name);
}

/// <summary>How a contract object becomes a PostgreSQL table.</summary>
internal static class ContractTables
{
    /// <summary>Classifications whose columns only the restricted role reads.</summary>
    public static readonly IReadOnlySet<string> RestrictedClassifications =
        new HashSet<string>(["restricted", "confidential", "secret", "pii", "sensitive"], StringComparer.OrdinalIgnoreCase);

    /// <summary>The table's name: the object's physicalName when it has one, else its name.</summary>
    public static string TableName(SchemaObject contractObject) =>
        string.IsNullOrWhiteSpace(contractObject.PhysicalName) ? contractObject.Name : contractObject.PhysicalName;

    public static bool IsOpen(SchemaProperty property) =>
        property.Classification is not { } classification || !RestrictedClassifications.Contains(classification.Trim());

    /// <summary>The declared table, or why it cannot be created (a name PostgreSQL would truncate, no columns...).</summary>
    public static (DeclaredTable? Table, string? Problem) Declare(SchemaObject contractObject)
    {
        var name = TableName(contractObject);
        if (Sql.NameProblem(name) is { } tableProblem)
        {
            return (null, $"table name {tableProblem}");
        }

        if (contractObject.Properties.Count == 0)
        {
            return (null, $"object '{contractObject.Name}' declares no properties, so there is no column to create");
        }

        var columns = new List<DeclaredColumn>();
        foreach (var property in contractObject.Properties)
        {
            if (Sql.NameProblem(property.Name) is { } columnProblem)
            {
                return (null, $"column name {columnProblem}");
            }

            var (type, note) = PostgresTypes.For(property);
            columns.Add(new DeclaredColumn(property.Name, type, property.Required || property.PrimaryKey, Text(property.Description), IsOpen(property), note));
        }

        var primaryKey = contractObject.Properties
            .Select((p, index) => (p, index))
            .Where(x => x.p.PrimaryKey)
            .OrderBy(x => x.p.PrimaryKeyPosition ?? long.MaxValue)
            .ThenBy(x => x.index)
            .Select(x => x.p.Name)
            .ToList();
        return (new DeclaredTable(contractObject.Name, name, Text(contractObject.Description), columns, primaryKey), null);
    }

    private static string? Text(string? description) => string.IsNullOrWhiteSpace(description) ? null : description;
}
