using Npgsql;

namespace MeshInABox.Storage.Postgres;

/// <summary>A table of a product's schema as the catalog holds it.</summary>
/// <param name="RowEstimate">PostgreSQL's estimate (<c>pg_class.reltuples</c>, kept by ANALYZE and autovacuum); null before the first one.</param>
public sealed record PostgresTableMetadata(
    string Name, string? Comment, long? RowEstimate, IReadOnlyList<PostgresColumnMetadata> Columns, IReadOnlyList<string> PrimaryKey)
{
    public PostgresColumnMetadata? Column(string name) => Columns.FirstOrDefault(c => c.Name == name);
}

/// <summary>A column as the catalog holds it; <paramref name="Type"/> is in <c>format_type()</c>'s spelling.</summary>
public sealed record PostgresColumnMetadata(string Name, string Type, bool NotNull, int Position, string? Comment);

/// <summary>
/// Reads a schema's tables from <c>pg_catalog</c> only: a role with USAGE on the schema and no SELECT sees them
/// there (information_schema shows it nothing).
/// </summary>
internal static class Catalog
{
    public static async Task<uint?> SchemaOidAsync(NpgsqlConnection connection, string schema, CancellationToken ct) =>
        await Sql.ScalarAsync<uint?>(connection, "SELECT oid FROM pg_namespace WHERE nspname = $1", ct, schema);

    public static async Task<uint?> RoleOidAsync(NpgsqlConnection connection, string role, CancellationToken ct) =>
        await Sql.ScalarAsync<uint?>(connection, "SELECT oid FROM pg_roles WHERE rolname = $1", ct, role);

    /// <summary>The schema's tables (ordinary and partitioned), by name; one table when <paramref name="table"/> is given.</summary>
    public static async Task<IReadOnlyList<PostgresTableMetadata>> TablesAsync(NpgsqlConnection connection, string schema, string? table, CancellationToken ct)
    {
        var tables = await Sql.ListAsync(connection,
            """
            SELECT c.oid, c.relname, obj_description(c.oid, 'pg_class'), c.reltuples::float8
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND ($2::text IS NULL OR c.relname = $2)
            ORDER BY c.relname
            """,
            r => (Oid: r.GetFieldValue<uint>(0), Name: r.GetString(1), Comment: r.NullableString(2), Tuples: r.GetDouble(3)),
            ct, schema, table);
        var result = new List<PostgresTableMetadata>();
        foreach (var t in tables)
        {
            var columns = await Sql.ListAsync(connection,
                """
                SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attnum::int, col_description(a.attrelid, a.attnum)
                FROM pg_attribute a
                WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
                ORDER BY a.attnum
                """,
                r => new PostgresColumnMetadata(r.GetString(0), r.GetString(1), r.GetBoolean(2), r.GetInt32(3), r.NullableString(4)),
                ct, t.Oid);
            var primaryKey = await Sql.ListAsync(connection,
                """
                SELECT a.attname
                FROM pg_constraint k
                CROSS JOIN LATERAL unnest(k.conkey) WITH ORDINALITY AS u(attnum, position)
                JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum
                WHERE k.conrelid = $1 AND k.contype = 'p'
                ORDER BY u.position
                """,
                r => r.GetString(0), ct, t.Oid);
            // reltuples is -1 until the table is first analyzed (PostgreSQL 14 and later).
            result.Add(new PostgresTableMetadata(t.Name, t.Comment, t.Tuples < 0 ? null : (long)t.Tuples, columns, primaryKey));
        }

        return result;
    }
}
