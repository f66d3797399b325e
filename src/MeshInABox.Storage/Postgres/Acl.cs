using Npgsql;

namespace MeshInABox.Storage.Postgres;

/// <summary>
/// Direct grants read from the catalog's ACLs (<c>aclexplode</c>), not <c>has_*_privilege</c>: those answer
/// through memberships and PUBLIC too, and a step must know what it granted itself.
/// </summary>
internal static class Acl
{
    public static async Task<bool> OnSchemaAsync(NpgsqlConnection connection, string schema, string role, string privilege, CancellationToken ct) =>
        await Sql.ScalarAsync<bool>(connection,
            """
            SELECT EXISTS (
              SELECT 1 FROM pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) a
              WHERE n.nspname = $1 AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $2) AND a.privilege_type = $3)
            """, ct, schema, role, privilege);

    /// <summary>Whether PUBLIC holds any right on the schema (a schema created by CREATE SCHEMA has none; public does).</summary>
    public static async Task<bool> PublicOnSchemaAsync(NpgsqlConnection connection, string schema, CancellationToken ct) =>
        await Sql.ScalarAsync<bool>(connection,
            "SELECT EXISTS (SELECT 1 FROM pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) a WHERE n.nspname = $1 AND a.grantee = 0)",
            ct, schema);

    /// <summary>The schema's tables, views and the like the role has no direct SELECT on.</summary>
    public static Task<List<string>> TablesWithoutSelectAsync(NpgsqlConnection connection, string schema, string role, CancellationToken ct) =>
        Sql.ListAsync(connection,
            """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
              AND NOT EXISTS (SELECT 1 FROM aclexplode(c.relacl) a
                              WHERE a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $2) AND a.privilege_type = 'SELECT')
            ORDER BY c.relname
            """, r => r.GetString(0), ct, schema, role);

    /// <summary>Whether the role holds any direct right on the table itself (not on its columns).</summary>
    public static async Task<bool> OnTableAsync(NpgsqlConnection connection, string schema, string table, string role, CancellationToken ct) =>
        await Sql.ScalarAsync<bool>(connection,
            """
            SELECT EXISTS (
              SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace CROSS JOIN LATERAL aclexplode(c.relacl) a
              WHERE n.nspname = $1 AND c.relname = $2 AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $3))
            """, ct, schema, table, role);

    /// <summary>The table's columns the role holds a column-level SELECT on.</summary>
    public static async Task<HashSet<string>> SelectableColumnsAsync(NpgsqlConnection connection, string schema, string table, string role, CancellationToken ct) =>
        [.. await Sql.ListAsync(connection,
            """
            SELECT a.attname
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            CROSS JOIN LATERAL aclexplode(a.attacl) x
            WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped
              AND x.grantee = (SELECT oid FROM pg_roles WHERE rolname = $3) AND x.privilege_type = 'SELECT'
            """, r => r.GetString(0), ct, schema, table, role)];

    /// <summary>Whether tables the owner creates in the schema later are granted SELECT to the role by default.</summary>
    public static async Task<bool> DefaultSelectAsync(NpgsqlConnection connection, string schema, string owner, string role, CancellationToken ct) =>
        await Sql.ScalarAsync<bool>(connection,
            """
            SELECT EXISTS (
              SELECT 1 FROM pg_default_acl d CROSS JOIN LATERAL aclexplode(d.defaclacl) a
              WHERE d.defaclrole = (SELECT oid FROM pg_roles WHERE rolname = $2)
                AND d.defaclnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1)
                AND d.defaclobjtype = 'r'
                AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $3) AND a.privilege_type = 'SELECT')
            """, ct, schema, owner, role);
}
