using MeshInABox.Domain.Contracts;
using MeshInABox.Domain.Naming;
using Npgsql;

namespace MeshInABox.Storage.Postgres;

/// <summary>
/// A product's tables as PostgreSQL describes them (names, columns, types, NOT NULL, comments, row estimates),
/// read as the platform's metadata role: it holds USAGE on product schemas and no SELECT, so what this returns
/// is what that role is allowed to see and nothing more.
/// </summary>
public sealed class PostgresMetadata(NpgsqlDataSource admin, PostgresRoles roles)
{
    public async Task<IReadOnlyList<PostgresTableMetadata>> ReadAsync(string productId, CancellationToken ct)
    {
        await using var connection = await admin.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        // SET LOCAL: the metadata role's rights until the transaction ends, whatever the admin login may read.
        await Sql.ExecuteAsync(connection, $"SET LOCAL ROLE {Sql.Ident(roles.Metadata)}", ct);
        var tables = await Catalog.TablesAsync(connection, MeshNames.ProductSchema(productId), null, ct);
        await transaction.RollbackAsync(ct);
        return tables;
    }

    /// <summary>One table's metadata, or null when the product has no such table.</summary>
    public async Task<PostgresTableMetadata?> ReadTableAsync(string productId, SchemaObject contractObject, CancellationToken ct) =>
        (await ReadAsync(productId, ct)).FirstOrDefault(t => t.Name == ContractTables.TableName(contractObject));
}

/// <summary>One way a table differs from its contract object.</summary>
/// <param name="Code">Stable: <c>missing-table</c>, <c>missing-column</c>, <c>extra-column</c>, <c>type-differs</c>, <c>nullability-differs</c>.</param>
/// <param name="Column">The column concerned, when it is one.</param>
public sealed record DriftFinding(string Code, string? Column, string Message);

/// <summary>Compares a table as the catalog holds it with the contract object it is provisioned from.</summary>
public static class PostgresDrift
{
    public const string MissingTable = "missing-table";
    public const string MissingColumn = "missing-column";
    public const string ExtraColumn = "extra-column";
    public const string TypeDiffers = "type-differs";
    public const string NullabilityDiffers = "nullability-differs";

    /// <summary>The findings, in the contract's column order, then extra columns in the table's; empty when they agree.</summary>
    public static IReadOnlyList<DriftFinding> Compare(SchemaObject contractObject, PostgresTableMetadata? table)
    {
        var name = ContractTables.TableName(contractObject);
        if (table is null)
        {
            return [new DriftFinding(MissingTable, null, $"table {name} of contract object {contractObject.Name} does not exist")];
        }

        var findings = new List<DriftFinding>();
        foreach (var property in contractObject.Properties)
        {
            var (type, _) = PostgresTypes.For(property);
            var notNull = property.Required || property.PrimaryKey;
            var column = table.Column(property.Name);
            if (column is null)
            {
                findings.Add(new DriftFinding(MissingColumn, property.Name, $"column {property.Name} ({type}) of the contract is not in table {name}"));
                continue;
            }

            if (column.Type != type)
            {
                findings.Add(new DriftFinding(TypeDiffers, property.Name, $"column {property.Name} is {column.Type} in table {name}; the contract says {type}"));
            }

            if (column.NotNull != notNull)
            {
                findings.Add(new DriftFinding(NullabilityDiffers, property.Name, notNull
                    ? $"column {property.Name} is required by the contract but nullable in table {name}"
                    : $"column {property.Name} is NOT NULL in table {name} but optional in the contract"));
            }
        }

        foreach (var column in table.Columns.Where(c => contractObject.Properties.All(p => p.Name != c.Name)))
        {
            findings.Add(new DriftFinding(ExtraColumn, column.Name, $"column {column.Name} ({column.Type}) of table {name} is not in the contract"));
        }

        return findings;
    }
}
