using System.Globalization;
using Apache.Arrow;
using DuckDB.NET.Data;
using MeshInABox.Iceberg.Scanning;

namespace MeshInABox.Lakehouse.Engine.Query;

/// <summary>What a product table reads as: a SELECT over its data, and the directories that SELECT may open.</summary>
/// <param name="Register">Sets up what the SELECT calls (a table function over PostgreSQL) in the query's database; null for files.</param>
/// <param name="Snapshot">The Iceberg snapshot the SELECT reads, for lakehouse tables.</param>
public sealed record ProductSource(string Select, IReadOnlyList<string> Directories, Action<DuckDBConnection>? Register = null, long? Snapshot = null);

/// <summary>A product table named in a query: the product and output it is (as their owner spells them), and how to read it.</summary>
public sealed record ResolvedProduct(string ProductId, string Output, ProductSource Source);

/// <summary>Where product tables are, and whether a caller may read them (the registry's locator and grants, or a test's map).</summary>
public interface IProductSources
{
    /// <summary>Every table a query names, found for <paramref name="subject"/> and ready to read.</summary>
    /// <param name="subject">The caller's identity (a token's sub), null when anonymous.</param>
    /// <exception cref="QueryRejectedException">A table is unknown, not the caller's to read, unreadable, or out of reach for now.</exception>
    Task<IReadOnlyDictionary<ProductReference, ResolvedProduct>> ResolveAsync(IReadOnlyList<ProductReference> references, string? subject, CancellationToken ct);
}

/// <summary>Per-query limits: a statement timeout, a row limit and DuckDB's memory limit.</summary>
public sealed record QueryLimits(TimeSpan Timeout, long MaxRows, string MemoryLimit = "1GB", int Threads = 2)
{
    public static QueryLimits Default { get; } = new(TimeSpan.FromSeconds(60), 1_000_000);
}

/// <summary>
/// Runs one SELECT over data products in a fresh in-memory DuckDB: each named
/// product becomes a view (<c>domain.product.table</c>), then the file system is
/// closed to everything but those products' directories and the configuration
/// is locked, so the query can reach nothing else.
/// </summary>
public static class QueryEngine
{
    public sealed record Outcome(long Rows, bool Truncated, IReadOnlyList<ProductReference> Products);

    /// <summary>A fresh in-memory DuckDB that never downloads an extension; each query needs its own (its sandbox settings are locked per database).</summary>
    public static DuckDBConnection NewDatabase()
    {
        var duck = new DuckDBConnection("DataSource=:memory:");
        duck.Open();
        Execute(duck, "SET autoinstall_known_extensions = false; SET autoload_known_extensions = false;");
        return duck;
    }

    /// <summary>
    /// Checks, resolves and runs one query in a database of its own, on the calling thread (tools and tests;
    /// the lakehouse service runs <see cref="Prepare"/> and <see cref="Stream"/> on a worker thread of its own).
    /// </summary>
    public static async Task<Outcome> RunAsync(
        string sql, IProductSources sources, QueryLimits limits, Action<IReadOnlyList<(string Name, Type Type)>> onColumns,
        Action<object?[]> onRow, CancellationToken ct)
    {
        using var duck = NewDatabase();
        var query = SqlGuard.Check(duck, sql);
        var resolved = await sources.ResolveAsync(query.Products, subject: null, ct);
        Prepare(duck, resolved.ToDictionary(r => r.Key, r => r.Value.Source), limits);
        return Stream(duck, query.Products, query.Sql, limits, onColumns, onRow, ct);
    }

    /// <summary>Names the products as views in a fresh database, then closes it to everything else and locks it.</summary>
    /// <param name="duck">A fresh database from <see cref="NewDatabase"/>, used for this query only.</param>
    /// <param name="products">Every table the query names (what <see cref="SqlGuard.Check"/> found), resolved.</param>
    public static void Prepare(DuckDBConnection duck, IReadOnlyDictionary<ProductReference, ProductSource> products, QueryLimits limits)
    {
        var allowed = new List<string>();
        foreach (var group in products.Keys.GroupBy(p => p.Domain))
        {
            Execute(duck, $"ATTACH ':memory:' AS {DuckDbScan.Quote(group.Key)}");
            foreach (var product in group.GroupBy(p => p.Product))
            {
                Execute(duck, $"CREATE SCHEMA {DuckDbScan.Quote(group.Key)}.{DuckDbScan.Quote(product.Key)}");
                foreach (var reference in product)
                {
                    var source = products[reference];
                    try
                    {
                        source.Register?.Invoke(duck);
                        Execute(duck, $"CREATE VIEW {Qualified(reference)} AS {source.Select}");
                    }
                    catch (DuckDBException error)
                    {
                        // E.g. a CSV output DuckDB cannot read: the caller's problem to report, not a server fault.
                        throw new QueryRejectedException($"'{reference}' cannot be read: {error.Message.Split('\n')[0]}", reference.Position);
                    }
                    allowed.AddRange(source.Directories);
                }
            }
        }

        var directories = string.Join(", ", allowed.Distinct().Select(d => DuckDbScan.Literal(d.EndsWith('/') ? d : d + "/")));
        Execute(duck, $"""
            SET memory_limit = {DuckDbScan.Literal(limits.MemoryLimit)};
            SET threads = {limits.Threads.ToString(CultureInfo.InvariantCulture)};
            SET allowed_directories = [{directories}];
            SET enable_external_access = false;
            SET lock_configuration = true;
            """);
    }

    /// <summary>
    /// Runs a checked query on a connection whose views and sandbox are already
    /// in place (a long-lived database shared by queries over lakehouse tables).
    /// </summary>
    public static Outcome Stream(
        DuckDBConnection duck, IReadOnlyList<ProductReference> products, string sql, QueryLimits limits,
        Action<IReadOnlyList<(string Name, Type Type)>> onColumns, Action<object?[]> onRow, CancellationToken ct)
    {
        using var query = new LimitedCommand(duck, sql, limits, ct);
        try
        {
            using var reader = query.Command.ExecuteReader();
            onColumns([.. Enumerable.Range(0, reader.FieldCount).Select(i => (reader.GetName(i), reader.GetFieldType(i)))]);
            long rows = 0;
            while (reader.Read())
            {
                query.Stopped.ThrowIfCancellationRequested();
                if (rows == limits.MaxRows)
                {
                    return new Outcome(rows, true, products);
                }

                var row = new object?[reader.FieldCount];
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                }

                onRow(row);
                rows++;
            }

            return new Outcome(rows, false, products);
        }
        catch (Exception error) when (error is DuckDBException or OperationCanceledException)
        {
            throw query.Failure(error);
        }
    }

    /// <summary>
    /// Runs a checked query on a prepared connection and hands its result over as
    /// Arrow record batches (DuckDB's own Arrow export, no per-value conversion).
    /// Blocks while DuckDB works: meant for a worker thread.
    /// </summary>
    /// <param name="onSchema">Told the result's schema before any batch (an empty result has one too).</param>
    /// <param name="onBatch">Given each batch, valid until it returns (the batch is disposed then).</param>
    public static Outcome StreamArrow(
        DuckDBConnection duck, IReadOnlyList<ProductReference> products, string sql, QueryLimits limits,
        Action<Schema> onSchema, Action<RecordBatch> onBatch, CancellationToken ct)
    {
        using var query = new LimitedCommand(duck, sql, limits, ct);
        try
        {
            using var result = query.Command.ExecuteArrowStream();
            onSchema(result.Schema);
            long rows = 0;
            // DuckDB's Arrow stream reads synchronously; its ValueTask is complete when it returns.
            while (result.ReadNextRecordBatchAsync(query.Stopped).AsTask().GetAwaiter().GetResult() is { } batch)
            {
                using (batch)
                {
                    var room = limits.MaxRows - rows;
                    if (batch.Length > room)
                    {
                        using var cut = batch.Slice(0, (int)room);
                        onBatch(cut);
                        return new Outcome(limits.MaxRows, true, products);
                    }

                    onBatch(batch);
                    rows += batch.Length;
                }
            }

            return new Outcome(rows, false, products);
        }
        catch (Exception error) when (error is DuckDBException or OperationCanceledException)
        {
            throw query.Failure(error);
        }
    }

    /// <summary>
    /// A checked query as it runs: wrapped in the row limit (one row more, to tell a cut result), streamed
    /// (rows are produced as they are read, not materialised first: memory stays bounded and a stopped client
    /// stops the scan), and interrupted when the client goes or the statement timeout passes.
    /// </summary>
    private sealed class LimitedCommand : IDisposable
    {
        private readonly QueryLimits _limits;
        private readonly CancellationToken _client;
        private readonly CancellationTokenSource _stop;
        private readonly CancellationTokenRegistration _interrupt;

        public LimitedCommand(DuckDBConnection duck, string sql, QueryLimits limits, CancellationToken client)
        {
            _limits = limits;
            _client = client;
            Command = duck.CreateCommand();
            Command.UseStreamingMode = true;
            Command.CommandText = $"SELECT * FROM ({sql.TrimEnd().TrimEnd(';')}) AS query LIMIT {(limits.MaxRows + 1).ToString(CultureInfo.InvariantCulture)}";
            _stop = CancellationTokenSource.CreateLinkedTokenSource(client);
            _stop.CancelAfter(limits.Timeout);
            _interrupt = _stop.Token.Register(Command.Cancel);
        }

        public DuckDBCommand Command { get; }

        /// <summary>Cancelled when the client goes or the timeout passes.</summary>
        public CancellationToken Stopped => _stop.Token;

        /// <summary>What a stopped or failed query tells its caller: cancelled by the client, timed out, or DuckDB's first line.</summary>
        public Exception Failure(Exception error) =>
            _client.IsCancellationRequested ? new OperationCanceledException(_client)
            : _stop.IsCancellationRequested ? new QueryRejectedException($"The query ran longer than {_limits.Timeout.TotalSeconds:0} s and was stopped.")
            : error is DuckDBException ? new QueryRejectedException(error.Message.Split('\n')[0])
            : error;

        public void Dispose()
        {
            _interrupt.Dispose();
            _stop.Dispose();
            Command.Dispose();
        }
    }

    internal static string Qualified(ProductReference reference) =>
        $"{DuckDbScan.Quote(reference.Domain)}.{DuckDbScan.Quote(reference.Product)}.{DuckDbScan.Quote(reference.ViewName)}";

    /// <summary>An unknown table, with the closest known names as suggestions.</summary>
    public static QueryRejectedException UnknownProduct(ProductReference reference, IReadOnlyList<string> known)
    {
        var name = reference.ToString();
        var closest = known.OrderBy(k => Distance(k, name)).Take(3).Where(k => Distance(k, name) <= Math.Max(3, name.Length / 3)).ToList();
        return new QueryRejectedException(
            $"No data product table '{name}'." + (closest.Count > 0 ? $" Did you mean {string.Join(" or ", closest)}?" : ""),
            reference.Position, unknown: true);
    }

    /// <summary>Levenshtein distance, for suggestions.</summary>
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    internal static void Execute(DuckDBConnection duck, string sql)
    {
        using var command = duck.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
