namespace MeshInABox.Storage.Tests.Postgres;

/// <summary>
/// What provisioning leaves in the catalog, as sorted lines with the test's role prefix replaced by "P": roles
/// and their attributes (not passwords), memberships, schema, table and column ACLs, default ACLs, columns,
/// types, NOT NULL, primary keys and comments. Two runs that end alike give equal snapshots.
/// </summary>
internal static class CatalogSnapshot
{
    public static async Task<List<string>> TakeAsync(PostgresBed bed, CancellationToken ct)
    {
        await using var connection = await bed.SessionAsync(null, ct);
        var pattern = bed.Roles.Prefix + "\\_%";
        var schema = bed.Schema;
        string[] queries =
        [
            $"""
            SELECT 'role', rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls, rolconnlimit
            FROM pg_roles WHERE rolname LIKE '{pattern}'
            """,
            $"""
            SELECT 'member', r.rolname, m.rolname, am.admin_option
            FROM pg_auth_members am JOIN pg_roles r ON r.oid = am.roleid JOIN pg_roles m ON m.oid = am.member
            WHERE r.rolname LIKE '{pattern}' OR m.rolname LIKE '{pattern}'
            """,
            $"""
            SELECT 'schema', n.nspname, pg_get_userbyid(n.nspowner), obj_description(n.oid, 'pg_namespace'),
                   CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END, pg_get_userbyid(a.grantor), a.privilege_type, a.is_grantable
            FROM pg_namespace n LEFT JOIN LATERAL aclexplode(n.nspacl) a ON true
            WHERE n.nspname = '{schema}'
            """,
            $"""
            SELECT 'table', c.relname, c.relkind, pg_get_userbyid(c.relowner), obj_description(c.oid, 'pg_class'),
                   CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END, pg_get_userbyid(a.grantor), a.privilege_type, a.is_grantable
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN LATERAL aclexplode(c.relacl) a ON true
            WHERE n.nspname = '{schema}'
            """,
            $"""
            SELECT 'column', c.relname, at.attnum, at.attname, format_type(at.atttypid, at.atttypmod), at.attnotnull, col_description(c.oid, at.attnum),
                   CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END, pg_get_userbyid(a.grantor), a.privilege_type
            FROM pg_attribute at JOIN pg_class c ON c.oid = at.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN LATERAL aclexplode(at.attacl) a ON true
            WHERE n.nspname = '{schema}' AND c.relkind = 'r' AND at.attnum > 0 AND NOT at.attisdropped
            """,
            $"""
            SELECT 'default', pg_get_userbyid(d.defaclrole), d.defaclobjtype,
                   CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END, a.privilege_type
            FROM pg_default_acl d JOIN pg_namespace n ON n.oid = d.defaclnamespace CROSS JOIN LATERAL aclexplode(d.defaclacl) a
            WHERE n.nspname = '{schema}'
            """,
            $"""
            SELECT 'constraint', c.relname, k.contype, pg_get_constraintdef(k.oid)
            FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = '{schema}'
            """,
        ];
        var lines = new List<string>();
        foreach (var query in queries)
        {
            lines.AddRange(await PostgresBed.RowsAsync(connection, query, ct));
        }

        return [.. lines.Select(l => l.Replace(bed.Roles.Prefix, "P", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
    }
}
