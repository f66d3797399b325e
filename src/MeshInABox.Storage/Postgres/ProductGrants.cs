using MeshInABox.Domain.Contracts;
using MeshInABox.Storage.Provisioning;
using Npgsql;

namespace MeshInABox.Storage.Postgres;

/// <summary>
/// What the product's roles may read, as the template's last steps make it true: the restricted role every
/// table, the open role the open columns, the metadata role the schema's names only. Only missing grants are
/// granted, and only the open role's excess (a reclassified column) is revoked.
/// </summary>
internal static class ProductGrants
{
    public static async Task<StepResult> RestrictedAsync(NpgsqlConnection connection, string schema, string owner, string role, CancellationToken ct)
    {
        var actions = new List<string?> { await RoleAttributes.EnsureAsync(connection, role, login: false, ct) };
        if (!await Acl.OnSchemaAsync(connection, schema, role, "USAGE", ct))
        {
            await Sql.ExecuteAsync(connection, $"GRANT USAGE ON SCHEMA {Sql.Ident(schema)} TO {Sql.Ident(role)}", ct);
            actions.Add("USAGE on the schema granted");
        }

        var missing = await Acl.TablesWithoutSelectAsync(connection, schema, role, ct);
        if (missing.Count > 0)
        {
            await Sql.ExecuteAsync(connection, $"GRANT SELECT ON ALL TABLES IN SCHEMA {Sql.Ident(schema)} TO {Sql.Ident(role)}", ct);
            actions.Add("SELECT granted on " + string.Join(", ", missing));
        }

        // Default privileges cover only what the named role creates later (not what its members create).
        if (!await Acl.DefaultSelectAsync(connection, schema, owner, role, ct))
        {
            await Sql.ExecuteAsync(connection,
                $"ALTER DEFAULT PRIVILEGES FOR ROLE {Sql.Ident(owner)} IN SCHEMA {Sql.Ident(schema)} GRANT SELECT ON TABLES TO {Sql.Ident(role)}", ct);
            actions.Add($"SELECT on tables {owner} creates later granted by default");
        }

        return StepRunner.Result("role:restricted", actions);
    }

    public static async Task<StepResult> OpenAsync(NpgsqlConnection connection, string schema, string role, IReadOnlyList<SchemaObject> objects, CancellationToken ct)
    {
        var actions = new List<string?> { await RoleAttributes.EnsureAsync(connection, role, login: false, ct) };
        if (!await Acl.OnSchemaAsync(connection, schema, role, "USAGE", ct))
        {
            await Sql.ExecuteAsync(connection, $"GRANT USAGE ON SCHEMA {Sql.Ident(schema)} TO {Sql.Ident(role)}", ct);
            actions.Add("USAGE on the schema granted");
        }

        foreach (var contractObject in objects)
        {
            var table = ContractTables.TableName(contractObject);
            var existing = (await Catalog.TablesAsync(connection, schema, table, ct)).SingleOrDefault();
            if (existing is null)
            {
                continue;
            }

            var qualified = Sql.Qualified(schema, table);
            // Only columns: a table-level SELECT would open the restricted columns too.
            if (await Acl.OnTableAsync(connection, schema, table, role, ct))
            {
                await Sql.ExecuteAsync(connection, $"REVOKE ALL ON TABLE {qualified} FROM {Sql.Ident(role)}", ct);
                actions.Add($"table-level rights on {table} revoked");
            }

            var open = existing.Columns
                .Where(c => contractObject.Property(c.Name) is { } p && p.Name == c.Name && ContractTables.IsOpen(p))
                .Select(c => c.Name)
                .ToHashSet();
            var granted = await Acl.SelectableColumnsAsync(connection, schema, table, role, ct);
            var grant = open.Except(granted).Order(StringComparer.Ordinal).ToList();
            var revoke = granted.Except(open).Order(StringComparer.Ordinal).ToList();
            if (grant.Count > 0)
            {
                await Sql.ExecuteAsync(connection, $"GRANT SELECT ({string.Join(", ", grant.Select(Sql.Ident))}) ON TABLE {qualified} TO {Sql.Ident(role)}", ct);
                actions.Add($"SELECT on {table} ({string.Join(", ", grant)}) granted");
            }

            if (revoke.Count > 0)
            {
                await Sql.ExecuteAsync(connection, $"REVOKE SELECT ({string.Join(", ", revoke.Select(Sql.Ident))}) ON TABLE {qualified} FROM {Sql.Ident(role)}", ct);
                actions.Add($"SELECT on {table} ({string.Join(", ", revoke)}) revoked: restricted or not in the contract");
            }
        }

        return StepRunner.Result("role:open", actions);
    }

    public static async Task<StepResult> MetadataAsync(NpgsqlConnection connection, string schema, string metadata, CancellationToken ct)
    {
        // USAGE alone: the metadata role reads pg_catalog (names, types, comments, estimates), never a row.
        if (await Acl.OnSchemaAsync(connection, schema, metadata, "USAGE", ct))
        {
            return StepRunner.Result("grant:metadata", []);
        }

        await Sql.ExecuteAsync(connection, $"GRANT USAGE ON SCHEMA {Sql.Ident(schema)} TO {Sql.Ident(metadata)}", ct);
        return StepRunner.Result("grant:metadata", ["USAGE on the schema granted"]);
    }
}
