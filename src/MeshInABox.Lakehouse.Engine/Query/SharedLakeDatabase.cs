using DuckDB.NET.Data;
using MeshInABox.Iceberg.Scanning;

namespace MeshInABox.Lakehouse.Engine.Query;

/// <summary>
/// One long-lived DuckDB for queries that read only lakehouse tables: its file
/// system is closed to all but the lake root and its configuration locked at
/// start, and it keeps Parquet footers cached between queries (a fresh database
/// per query reads them all again). Each table is a view, replaced when the
/// table's current snapshot changes; access is still decided per query, before
/// any view is named.
/// </summary>
public sealed class SharedLakeDatabase : IDisposable
{
    private readonly DuckDBConnection _database;
    private readonly Dictionary<string, string> _views = new(StringComparer.Ordinal);
    private readonly Lock _catalog = new();

    public SharedLakeDatabase(string lakeRoot, QueryLimits limits)
    {
        LakeRoot = Path.GetFullPath(lakeRoot);
        Directory.CreateDirectory(LakeRoot);
        _database = QueryEngine.NewDatabase();
        QueryEngine.Execute(_database, $"""
            SET parquet_metadata_cache = true;
            SET memory_limit = {DuckDbScan.Literal(limits.MemoryLimit)};
            SET allowed_directories = [{DuckDbScan.Literal(LakeRoot.TrimEnd('/') + "/")}];
            SET enable_external_access = false;
            SET lock_configuration = true;
            """);
    }

    public string LakeRoot { get; }

    /// <summary>Whether every source is files in the lake, so the shared database may read it.</summary>
    public bool Covers(IEnumerable<ProductSource> sources) =>
        sources.All(s => s.Register is null && s.Directories.Count > 0 && s.Directories.All(d => Path.GetFullPath(d).StartsWith(LakeRoot.TrimEnd('/') + "/", StringComparison.Ordinal)));

    /// <summary>A connection for one query, with the views of its products current.</summary>
    public DuckDBConnection Connect(IReadOnlyDictionary<ProductReference, ProductSource> products)
    {
        lock (_catalog)
        {
            foreach (var (reference, source) in products)
            {
                var name = QueryEngine.Qualified(reference);
                if (_views.TryGetValue(name, out var current) && current == source.Select)
                {
                    continue;
                }

                if (!_views.Keys.Any(v => v.StartsWith(DuckDbScan.Quote(reference.Domain) + ".", StringComparison.Ordinal)))
                {
                    QueryEngine.Execute(_database, $"ATTACH IF NOT EXISTS ':memory:' AS {DuckDbScan.Quote(reference.Domain)}");
                }

                QueryEngine.Execute(_database, $"CREATE SCHEMA IF NOT EXISTS {DuckDbScan.Quote(reference.Domain)}.{DuckDbScan.Quote(reference.Product)}");
                QueryEngine.Execute(_database, $"CREATE OR REPLACE VIEW {name} AS {source.Select}");
                _views[name] = source.Select;
            }
        }

        var connection = _database.Duplicate();
        connection.Open();
        return connection;
    }

    public void Dispose() => _database.Dispose();
}
