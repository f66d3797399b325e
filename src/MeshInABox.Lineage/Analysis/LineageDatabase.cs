using DuckDB.NET.Data;
using MeshInABox.Lineage.Catalog;

namespace MeshInABox.Lineage.Analysis;

/// <summary>
/// The database statements are bound in: empty stub tables with the catalog's columns and nothing else, closed to
/// every file and the network, its configuration locked, so binding an untrusted statement reaches nothing. Statements
/// are only ever serialized (parsed or planned), never run.
/// </summary>
internal sealed class LineageDatabase : IDisposable
{
    /// <summary>The name DuckDB gives the in-memory database: one- and two-part table names live in it.</summary>
    internal const string MemoryCatalog = "memory";

    private readonly DuckDBConnection _connection;

    /// <summary>Where each stub table lives (catalog.schema.table) → its name in the lineage catalog.</summary>
    private readonly Dictionary<string, string> _names = new(StringComparer.OrdinalIgnoreCase);

    public LineageDatabase(LineageCatalog catalog)
    {
        _connection = new DuckDBConnection("DataSource=:memory:");
        _connection.Open();
        Execute("SET autoinstall_known_extensions = false; SET autoload_known_extensions = false; SET threads = 1; SET memory_limit = '512MB';");
        var attached = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { MemoryCatalog };
        var schemas = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { $"{MemoryCatalog}.main" };
        // DuckDB resolves schema.table and table in the default catalog only: with a default domain, that is the domain's.
        DefaultCatalog = catalog.DefaultDomain is { } domain && catalog.Tables.Keys.Any(k => k.Split('.') is [var d, _, _] && d.Equals(domain, StringComparison.OrdinalIgnoreCase))
            ? domain
            : MemoryCatalog;
        if (attached.Add(DefaultCatalog))
        {
            Execute($"ATTACH ':memory:' AS {Quote(DefaultCatalog)}");
            schemas.Add($"{DefaultCatalog}.main");
        }

        foreach (var (name, columns) in catalog.Tables)
        {
            var parts = name.Split('.');
            var (database, schema, table) = parts.Length switch
            {
                3 => (parts[0], parts[1], parts[2]),
                2 => (DefaultCatalog, parts[0], parts[1]),
                _ => (DefaultCatalog, "main", parts[0]),
            };
            _names[$"{database}.{schema}.{table}".ToLowerInvariant()] = name.ToLowerInvariant();
            if (attached.Add(database))
            {
                Execute($"ATTACH ':memory:' AS {Quote(database)}");
            }

            if (schemas.Add($"{database}.{schema}"))
            {
                Execute($"CREATE SCHEMA {Quote(database)}.{Quote(schema)}");
            }

            var definition = columns.Count == 0
                ? "\"?\" VARCHAR" // DuckDB has no table without columns; a contract without properties still names a table.
                : string.Join(", ", columns.DistinctBy(c => c.Name, StringComparer.OrdinalIgnoreCase).Select(c => $"{Quote(c.Name)} {c.SqlType}"));
            Execute($"CREATE OR REPLACE TABLE {Quote(database)}.{Quote(schema)}.{Quote(table)} ({definition})");
        }

        Execute($"SET search_path = {Literal($"{Quote(DefaultCatalog)}.main")}");
        Execute("SET enable_external_access = false; SET lock_configuration = true;");
    }

    /// <summary>One value of a serializing call (<c>json_serialize_sql</c>, <c>json_serialize_plan</c>, <c>json_deserialize_sql</c>) on a text.</summary>
    /// <exception cref="TimeoutException">DuckDB did not answer in time.</exception>
    public string Serialize(string function, string argument, TimeSpan timeout)
    {
        lock (_connection)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = $"SELECT {function}({Literal(argument)})";
            var call = Task.Run(() => (string)command.ExecuteScalar()!);
            if (call.Wait(timeout))
            {
                return call.Result;
            }

            // Binding is interruptible only between steps: the call is abandoned, and the connection with it
            // (a DuckDB connection serves one thread), closed once DuckDB lets go of it.
            command.Cancel();
            Abandoned = true;
            call.ContinueWith(_ => _connection.Dispose(), TaskScheduler.Default);
            throw new TimeoutException($"DuckDB took longer than {timeout.TotalSeconds:0.#} s to bind the statement.");
        }
    }

    /// <summary>True once a call timed out: the database is no longer usable, make another.</summary>
    public bool Abandoned { get; private set; }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    internal static string Quote(string identifier) => $"\"{identifier.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    internal static string Literal(string text) => $"'{text.Replace("'", "''", StringComparison.Ordinal)}'";

    /// <summary>The catalog unqualified names resolve in: the default domain's, else DuckDB's in-memory one.</summary>
    public string DefaultCatalog { get; }

    /// <summary>
    /// A bound table's name as the lineage catalog names it; a table the statement creates is named in full, but
    /// for the default catalog's main schema (where an unqualified name is created).
    /// </summary>
    public string TableName(string database, string schema, string table) =>
        _names.TryGetValue($"{database}.{schema}.{table}", out var name) ? name
        : (database.Equals(DefaultCatalog, StringComparison.OrdinalIgnoreCase) || database.Equals(MemoryCatalog, StringComparison.OrdinalIgnoreCase)
            ? schema.Equals("main", StringComparison.OrdinalIgnoreCase) ? table : $"{database}.{schema}.{table}"
            : $"{database}.{schema}.{table}").ToLowerInvariant();

    public void Dispose()
    {
        if (!Abandoned)
        {
            _connection.Dispose();
        }
    }
}
