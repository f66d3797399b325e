using DuckDB.NET.Data;

namespace MeshInABox.Lakehouse.Engine.Query;

/// <summary>
/// The database queries are checked on (<see cref="SqlGuard.Check"/>). DuckDB's parser needs a database, but which
/// one a query runs on (the shared lake database or a fresh sandboxed one) depends on the products it names, known
/// only once it is parsed; so parsing has a database of its own: empty, closed to every file, locked, and never
/// busy with a query's views or memory.
/// </summary>
public sealed class QueryParser : IDisposable
{
    private readonly DuckDBConnection _database;

    public QueryParser()
    {
        _database = QueryEngine.NewDatabase();
        QueryEngine.Execute(_database, "SET enable_external_access = false; SET lock_configuration = true;");
    }

    /// <exception cref="QueryRejectedException">The SQL is not one allowed SELECT.</exception>
    public CheckedQuery Check(string sql)
    {
        // A connection per check: DuckDB connections are not shared between threads.
        using var connection = _database.Duplicate();
        connection.Open();
        return SqlGuard.Check(connection, sql);
    }

    public void Dispose() => _database.Dispose();
}
