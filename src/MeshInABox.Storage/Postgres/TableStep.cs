using MeshInABox.Domain.Contracts;
using MeshInABox.Storage.Provisioning;
using Npgsql;

namespace MeshInABox.Storage.Postgres;

/// <summary>
/// One contract object's table: created as declared, or brought closer to it without losing data. Missing
/// columns are added, NOT NULL and comments follow the contract; a column or table is never dropped and a type
/// never converted: such drift is reported in the step's detail (its outcome stays Unchanged when nothing was done).
/// </summary>
internal static class TableStep
{
    public static async Task<StepResult> RunAsync(NpgsqlConnection connection, string schema, string owner, SchemaObject contractObject, CancellationToken ct)
    {
        var step = "table:" + contractObject.Name;
        var (declared, problem) = ContractTables.Declare(contractObject);
        if (declared is null)
        {
            return new StepResult(step, StepOutcome.Failed, problem!);
        }

        var actions = new List<string>();
        var notes = declared.Columns.Where(c => c.Note is not null).Select(c => c.Note!).ToList();
        var existing = (await Catalog.TablesAsync(connection, schema, declared.Name, ct)).SingleOrDefault();
        var table = Sql.Qualified(schema, declared.Name);
        if (existing is not null)
        {
            // A table restored from an archive, or created by hand, is handed to the owner.
            var current = await Sql.ScalarAsync<string>(connection,
                "SELECT pg_get_userbyid(c.relowner) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2",
                ct, schema, declared.Name);
            if (current != owner)
            {
                await Sql.ExecuteAsync(connection, $"ALTER TABLE {table} OWNER TO {Sql.Ident(owner)}", ct);
                actions.Add($"owner set to {owner} (was {current})");
            }
        }

        // Created and altered as the owner: it owns the table, and its default privileges apply.
        await Sql.ExecuteAsync(connection, $"SET LOCAL ROLE {Sql.Ident(owner)}", ct);
        if (existing is null)
        {
            await CreateAsync(connection, table, declared, ct);
            actions.Add($"created with {declared.Columns.Count} columns");
        }
        else
        {
            await AlignAsync(connection, table, declared, existing, actions, notes, ct);
        }

        var detail = string.Join("; ", actions.Concat(notes));
        return new StepResult(step, actions.Count > 0 ? StepOutcome.Changed : StepOutcome.Unchanged, detail.Length == 0 ? "as declared" : detail);
    }

    private static async Task CreateAsync(NpgsqlConnection connection, string table, DeclaredTable declared, CancellationToken ct)
    {
        var definitions = declared.Columns.Select(c => $"{Sql.Ident(c.Name)} {c.Type}{(c.NotNull ? " NOT NULL" : "")}").ToList();
        if (declared.PrimaryKey.Count > 0)
        {
            definitions.Add($"PRIMARY KEY ({string.Join(", ", declared.PrimaryKey.Select(Sql.Ident))})");
        }

        await Sql.ExecuteAsync(connection, $"CREATE TABLE {table} ({string.Join(", ", definitions)})", ct);
        if (declared.Comment is not null)
        {
            await Sql.ExecuteAsync(connection, $"COMMENT ON TABLE {table} IS {Sql.Literal(declared.Comment)}", ct);
        }

        foreach (var column in declared.Columns.Where(c => c.Comment is not null))
        {
            await Sql.ExecuteAsync(connection, $"COMMENT ON COLUMN {table}.{Sql.Ident(column.Name)} IS {Sql.Literal(column.Comment)}", ct);
        }
    }

    private static async Task AlignAsync(
        NpgsqlConnection connection, string table, DeclaredTable declared, PostgresTableMetadata existing, List<string> actions, List<string> notes, CancellationToken ct)
    {
        var hasRows = await Sql.ScalarAsync<bool>(connection, $"SELECT EXISTS (SELECT 1 FROM {table})", ct);
        foreach (var column in declared.Columns)
        {
            var name = Sql.Ident(column.Name);
            var current = existing.Column(column.Name);
            if (current is null)
            {
                // Existing rows have no value for a new column: NOT NULL only on an empty table.
                var notNull = column.NotNull && !hasRows;
                await Sql.ExecuteAsync(connection, $"ALTER TABLE {table} ADD COLUMN {name} {column.Type}{(notNull ? " NOT NULL" : "")}", ct);
                actions.Add($"column {column.Name} added");
                if (column.NotNull && !notNull)
                {
                    notes.Add($"column {column.Name} is required but left nullable: the table's rows have no value for it");
                }

                if (column.Comment is not null)
                {
                    await Sql.ExecuteAsync(connection, $"COMMENT ON COLUMN {table}.{name} IS {Sql.Literal(column.Comment)}", ct);
                }

                continue;
            }

            if (current.Type != column.Type)
            {
                notes.Add($"column {column.Name} is {current.Type}, the contract says {column.Type}: not converted");
            }

            if (column.NotNull && !current.NotNull)
            {
                if (await Sql.ScalarAsync<bool>(connection, $"SELECT EXISTS (SELECT 1 FROM {table} WHERE {name} IS NULL)", ct))
                {
                    notes.Add($"column {column.Name} is required but has rows without a value: left nullable");
                }
                else
                {
                    await Sql.ExecuteAsync(connection, $"ALTER TABLE {table} ALTER COLUMN {name} SET NOT NULL", ct);
                    actions.Add($"column {column.Name} set NOT NULL");
                }
            }
            else if (!column.NotNull && current.NotNull && !existing.PrimaryKey.Contains(column.Name))
            {
                await Sql.ExecuteAsync(connection, $"ALTER TABLE {table} ALTER COLUMN {name} DROP NOT NULL", ct);
                actions.Add($"column {column.Name} made nullable");
            }

            if (current.Comment != column.Comment)
            {
                await Sql.ExecuteAsync(connection, $"COMMENT ON COLUMN {table}.{name} IS {Sql.Literal(column.Comment)}", ct);
                actions.Add($"comment on column {column.Name} set");
            }
        }

        if (existing.Comment != declared.Comment)
        {
            await Sql.ExecuteAsync(connection, $"COMMENT ON TABLE {table} IS {Sql.Literal(declared.Comment)}", ct);
            actions.Add("table comment set");
        }

        if (existing.PrimaryKey.Count == 0 && declared.PrimaryKey.Count > 0)
        {
            await Sql.ExecuteAsync(connection, $"ALTER TABLE {table} ADD PRIMARY KEY ({string.Join(", ", declared.PrimaryKey.Select(Sql.Ident))})", ct);
            actions.Add($"primary key ({string.Join(", ", declared.PrimaryKey)}) added");
        }
        else if (!existing.PrimaryKey.SequenceEqual(declared.PrimaryKey))
        {
            notes.Add($"primary key is ({string.Join(", ", existing.PrimaryKey)}), the contract says ({string.Join(", ", declared.PrimaryKey)}): not changed");
        }

        var extra = existing.Columns.Where(c => declared.Column(c.Name) is null).Select(c => c.Name).ToList();
        if (extra.Count > 0)
        {
            notes.Add($"columns not in the contract kept: {string.Join(", ", extra)}");
        }
    }
}
