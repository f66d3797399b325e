using System.Globalization;
using DuckDB.NET.Data;
using DuckDB.NET.Data.DataChunk.Writer;
using MeshInABox.Iceberg.Scanning;
using Npgsql;

namespace MeshInABox.Lakehouse.Engine.Query;

/// <summary>Where a PostgreSQL product table is: a database on the mesh's server, a schema and a table (or view).</summary>
public sealed record PostgresLocation(string Database, string Schema, string Table)
{
    public override string ToString() => $"{Database}/{Schema}.{Table}";
}

/// <summary>
/// A PostgreSQL table read by DuckDB through a table function that streams
/// Npgsql's binary <c>COPY ... TO STDOUT</c> (DuckDB's postgres extension
/// cannot be installed offline). Rows flow as DuckDB pulls them, so memory stays
/// bounded; every query reads the table afresh in a read-only transaction.
/// Cost: every column of every row crosses PostgreSQL's COPY and .NET once per
/// query (no filter or projection reaches PostgreSQL).
/// Every read runs as the consumer's own role (<see cref="Domain.Naming.PostgresRoles.Consumer"/>), which holds the access roles
/// of the requests granted to them, or, for a consumer without one (or no token), as <see cref="ReaderRole"/>, a role
/// without rights of its own (<c>SET ROLE</c>): PostgreSQL itself refuses what was not granted, whatever the service's
/// own login may read.
/// </summary>
public static class PostgresTableSource
{
    /// <summary>The role product reads run as (created by the lakehouse service's migrations, NOLOGIN NOSUPERUSER).</summary>
    public const string ReaderRole = "mesh_product_reader";

    private static readonly string[] SystemSchemas = ["pg_catalog", "information_schema", "pg_toast"];

    /// <param name="server">A connection string to the server (its database is replaced by the location's).</param>
    /// <param name="functionName">The table function's name in the query's database (unique per table in it).</param>
    /// <exception cref="QueryRejectedException">The table does not exist or cannot be reached.</exception>
    /// <param name="consumerRole">The role of the query's subject; null (anonymous) or a role that does not exist reads as <see cref="ReaderRole"/>.</param>
    public static async Task<ProductSource> CreateAsync(string server, PostgresLocation location, string functionName, string? consumerRole, CancellationToken ct)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(server)
        {
            Database = location.Database,
            // Queries only read; the server enforces it too.
            Options = "-c default_transaction_read_only=on",
            ApplicationName = "mesh-lakehouse",
        }.ConnectionString;
        if (SystemSchemas.Contains(location.Schema, StringComparer.OrdinalIgnoreCase) || location.Schema.StartsWith("pg_", StringComparison.OrdinalIgnoreCase))
        {
            throw new QueryRejectedException($"PostgreSQL's own schemas ({location.Schema}) are never read as products.", forbidden: true);
        }

        var (role, columns) = await DescribeAsync(connectionString, location, consumerRole, ct);
        var copy = $"COPY (SELECT {string.Join(", ", columns.Select(c => c.CopyExpression))} FROM {PgQuote(location.Schema)}.{PgQuote(location.Table)}) TO STDOUT (FORMAT BINARY)";
        var select = $"SELECT {string.Join(", ", columns.Select(c => c.ViewExpression))} FROM {functionName}()";
        return new ProductSource(select, [], duck => duck.RegisterTableFunction(
            functionName,
            () => new TableFunction([.. columns.Select(c => new ColumnInfo(c.Name, c.ClrType))], Rows(connectionString, copy, columns, role)),
            (row, writers, index) => Write((object?[])row!, writers, index)));
    }

    /// <summary>The rows, as DuckDB pulls them: synchronous, on the thread DuckDB runs the query on (never a request's).</summary>
    private static IEnumerable<object?[]> Rows(string connectionString, string copy, IReadOnlyList<Column> columns, string role)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        ActAs(connection, role);
        using var exporter = connection.BeginBinaryExport(copy);
        while (exporter.StartRow() != -1)
        {
            var row = new object?[columns.Count];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = exporter.IsNull ? Skip(exporter) : columns[i].Read(exporter);
            }

            yield return row;
        }
    }

    private static object? Skip(NpgsqlBinaryExporter exporter)
    {
        exporter.Skip();
        return null;
    }

    private static void Write(object?[] row, IDuckDBDataWriter[] writers, ulong index)
    {
        for (var i = 0; i < row.Length; i++)
        {
            switch (row[i])
            {
                case null: writers[i].WriteNull(index); break;
                case bool v: writers[i].WriteValue(v, index); break;
                case short v: writers[i].WriteValue(v, index); break;
                case int v: writers[i].WriteValue(v, index); break;
                case long v: writers[i].WriteValue(v, index); break;
                case float v: writers[i].WriteValue(v, index); break;
                case double v: writers[i].WriteValue(v, index); break;
                case DateOnly v: writers[i].WriteValue(v, index); break;
                case DateTime v: writers[i].WriteValue(v, index); break;
                case Guid v: writers[i].WriteValue(v, index); break;
                case string v: writers[i].WriteValue(v, index); break;
                default: throw new InvalidOperationException($"No DuckDB mapping for {row[i]!.GetType()}.");
            }
        }
    }

    /// <summary>
    /// The role the read runs as, and the table's columns from the catalog, each with how it is copied and how DuckDB
    /// sees it; checked first, as that role, that the table was granted to it.
    /// </summary>
    private static async Task<(string Role, List<Column> Columns)> DescribeAsync(string connectionString, PostgresLocation location, string? consumerRole, CancellationToken ct)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(ct);
            // The consumer's own role first (their granted requests), then what every reader may read (open products).
            var role = ReaderRole;
            bool? granted = null;
            foreach (var candidate in consumerRole is null ? [ReaderRole] : new[] { consumerRole, ReaderRole })
            {
                if (candidate != ReaderRole && !await IsMemberAsync(connection, candidate, ct))
                {
                    continue;
                }

                await using (var setRole = new NpgsqlCommand($"SET ROLE {PgQuote(candidate)}", connection))
                {
                    await setRole.ExecuteNonQueryAsync(ct);
                }

                role = candidate;
                granted = await GrantedAsync(connection, location, ct);
                if (granted != false)
                {
                    break;
                }
            }

            switch (granted)
            {
                case null:
                    throw new QueryRejectedException($"PostgreSQL table {location} does not exist (or has no columns); the product's locator points there.");
                case false:
                    throw new QueryRejectedException(consumerRole is null
                        ? $"PostgreSQL table {location} is not readable by the lakehouse service's role {ReaderRole}: ask for access to the product " +
                          "(POST /data-products/<id>/access-requests, with a token), or its owners grant it with " +
                          $"GRANT USAGE ON SCHEMA {PgQuote(location.Schema)} TO {ReaderRole}; GRANT SELECT ON {PgQuote(location.Schema)}.{PgQuote(location.Table)} TO {ReaderRole}."
                        : $"PostgreSQL table {location} is not readable by your role {consumerRole} nor by every reader's: PostgreSQL refused it " +
                          "(no granted access request covers it). Ask for access: POST /data-products/<id>/access-requests.",
                        forbidden: true);
            }

            await using var command = new NpgsqlCommand(
                """
                SELECT a.attname, t.typname, a.atttypmod
                FROM pg_attribute a
                JOIN pg_class c ON c.oid = a.attrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                JOIN pg_type t ON t.oid = a.atttypid
                WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
                  AND a.attnum > 0 AND NOT a.attisdropped
                  -- Only the columns the role may read: an open role holds the unrestricted columns alone.
                  AND has_column_privilege(c.oid, a.attnum, 'SELECT')
                ORDER BY a.attnum
                """, connection);
            command.Parameters.Add(new NpgsqlParameter { Value = location.Schema });
            command.Parameters.Add(new NpgsqlParameter { Value = location.Table });
            await using var reader = await command.ExecuteReaderAsync(ct);
            var columns = new List<Column>();
            while (await reader.ReadAsync(ct))
            {
                columns.Add(Column.For(reader.GetString(0), reader.GetString(1), reader.GetInt32(2)));
            }

            return columns.Count > 0
                ? (role, columns)
                : throw new QueryRejectedException($"PostgreSQL table {location} does not exist (or has no columns); the product's locator points there.");
        }
        catch (PostgresException error) when (error.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            throw new QueryRejectedException($"PostgreSQL database '{location.Database}' does not exist; the product's locator points to {location}.");
        }
        catch (PostgresException error) when (error.SqlState == PostgresErrorCodes.InvalidParameterValue)
        {
            throw new QueryRejectedException(
                $"PostgreSQL products cannot be read yet: the role {ReaderRole} does not exist ({error.MessageText}); the lakehouse service creates it when it starts.",
                unavailable: true);
        }
        catch (NpgsqlException error) when (error is not PostgresException)
        {
            throw new QueryRejectedException($"PostgreSQL holding {location} cannot be reached: {error.Message}", unavailable: true);
        }
    }

    /// <summary>Whether the role exists and this login may act as it (a consumer without any granted request has none).</summary>
    private static async Task<bool> IsMemberAsync(NpgsqlConnection connection, string role, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AND pg_has_role(session_user, $1, 'MEMBER')", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = role });
        return await command.ExecuteScalarAsync(ct) is true;
    }

    /// <summary>Whether the current role may read the table: null when there is no such table.</summary>
    private static async Task<bool?> GrantedAsync(NpgsqlConnection connection, PostgresLocation location, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT has_schema_privilege(n.oid, 'USAGE') AND has_any_column_privilege(c.oid, 'SELECT')
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = location.Schema });
        command.Parameters.Add(new NpgsqlParameter { Value = location.Table });
        return await command.ExecuteScalarAsync(ct) as bool?;
    }

    /// <summary>From here on the connection has the role's rights only (the login's own are set aside).</summary>
    private static void ActAs(NpgsqlConnection connection, string role)
    {
        using var command = new NpgsqlCommand($"SET ROLE {PgQuote(role)}", connection);
        command.ExecuteNonQuery();
    }

    private static string PgQuote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>One column: read natively when DuckDB.NET has the type, otherwise as text and cast in the view.</summary>
    private sealed record Column(string Name, Type ClrType, string CopyExpression, string ViewExpression, Func<NpgsqlBinaryExporter, object?> Read)
    {
        public static Column For(string name, string type, int typmod)
        {
            var pg = PgQuote(name);
            var duck = DuckDbScan.Quote(name);
            return type switch
            {
                "bool" => new(name, typeof(bool), pg, duck, e => e.Read<bool>()),
                "int2" => new(name, typeof(short), pg, duck, e => e.Read<short>()),
                "int4" => new(name, typeof(int), pg, duck, e => e.Read<int>()),
                "int8" => new(name, typeof(long), pg, duck, e => e.Read<long>()),
                "float4" => new(name, typeof(float), pg, duck, e => e.Read<float>()),
                "float8" => new(name, typeof(double), pg, duck, e => e.Read<double>()),
                "date" => new(name, typeof(DateOnly), pg, duck, e => e.Read<DateOnly>()),
                "timestamp" => new(name, typeof(DateTime), pg, duck, e => e.Read<DateTime>()),
                // Copied as UTC instants; the view gives them DuckDB's TIMESTAMPTZ.
                "timestamptz" => new(name, typeof(DateTime), pg, $"timezone('UTC', {duck}) AS {duck}", e => e.Read<DateTime>()),
                "uuid" => new(name, typeof(Guid), pg, duck, e => e.Read<Guid>()),
                "numeric" => new(name, typeof(string), pg + "::text", $"CAST({duck} AS {NumericType(typmod)}) AS {duck}", e => e.Read<string>()),
                "text" or "varchar" or "bpchar" or "name" => new(name, typeof(string), pg, duck, e => e.Read<string>()),
                // json, arrays, intervals, enums, ...: their PostgreSQL text form.
                _ => new(name, typeof(string), pg + "::text", duck, e => e.Read<string>()),
            };
        }

        /// <summary>numeric(p,s) keeps its precision when DuckDB can hold it (p &lt;= 38); unconstrained numeric becomes DOUBLE.</summary>
        private static string NumericType(int typmod)
        {
            if (typmod < 4)
            {
                return "DOUBLE";
            }

            var precision = ((typmod - 4) >> 16) & 0xFFFF;
            var scale = (typmod - 4) & 0xFFFF;
            return precision is >= 1 and <= 38 && scale <= precision
                ? string.Create(CultureInfo.InvariantCulture, $"DECIMAL({precision},{scale})")
                : "DOUBLE";
        }
    }
}
