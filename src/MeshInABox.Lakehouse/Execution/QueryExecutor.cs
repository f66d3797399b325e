using System.IO.Pipelines;
using DuckDB.NET.Data;
using MeshInABox.Lakehouse.Engine.Query;
using MeshInABox.Lakehouse.Infrastructure;
using MeshInABox.Lakehouse.Usage;
using Microsoft.Extensions.Options;

namespace MeshInABox.Lakehouse.Execution;

/// <summary>
/// Runs checked, resolved queries: picks the database (the shared lake database for lakehouse tables only, else a
/// fresh sandboxed one from the pool) and runs DuckDB on a worker thread of the query's own, whatever the format,
/// writing the result into a pipe the HTTP layer copies out.
/// </summary>
public sealed class QueryExecutor(
    QueryParser parser, SharedLakeDatabase shared, DuckDbPool pool, IOptions<LakehouseOptions> options, ILogger<QueryExecutor> logger)
{
    /// <summary>
    /// Checks the SQL on the parser's own database: which database the query runs on depends on the products it
    /// names, so it cannot be parsed there first; the parser's database holds nothing and reads nothing.
    /// </summary>
    /// <exception cref="QueryRejectedException">The SQL is not one allowed SELECT.</exception>
    public CheckedQuery Check(string sql) => parser.Check(sql);

    /// <summary>Starts the query; returns once its columns are known, so that a query refused until then is still a problem response.</summary>
    /// <exception cref="QueryRejectedException">The query failed before its first row, or no database could be opened (unavailable).</exception>
    /// <exception cref="OperationCanceledException">The client went away first.</exception>
    public async Task<QueryResult> ExecuteAsync(
        CheckedQuery query, IReadOnlyDictionary<ProductReference, ResolvedProduct> products, ResultFormat format, CancellationToken ct)
    {
        var settings = options.Value;
        var limits = new QueryLimits(TimeSpan.FromSeconds(settings.TimeoutSeconds), settings.MaxRows, settings.MemoryLimit);
        var sources = products.ToDictionary(p => p.Key, p => p.Value.Source);
        var fresh = shared.Covers(sources.Values) ? null : await pool.TakeAsync(ct);
        var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19, useSynchronizationContext: false));
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // A query holds its thread while DuckDB works and while the client reads: a thread of its own, not the pool's.
        var completion = Task.Factory.StartNew(
            () => Run(query, sources, fresh, format, limits, pipe.Writer, started, stop),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await started.Task;
        return new QueryResult(format, limits.MaxRows, pipe.Reader, completion, stop);
    }

    private QueryEnd Run(
        CheckedQuery query, Dictionary<ProductReference, ProductSource> sources, DuckDBConnection? fresh, ResultFormat format, QueryLimits limits,
        PipeWriter body, TaskCompletionSource started, CancellationTokenSource stop)
    {
        var ct = stop.Token;
        // A writer blocked on a reader that went away is released.
        var release = ct.Register(body.CancelPendingFlush);
        var stream = body.AsStream(leaveOpen: true);
        ResultWriter? writer = null;
        var connection = fresh;
        try
        {
            if (connection is null)
            {
                connection = shared.Connect(sources);
            }
            else
            {
                QueryEngine.Prepare(connection, sources, limits);
            }

            QueryEngine.Outcome outcome;
            if (format == ResultFormat.Arrow)
            {
                var arrow = new ArrowResultWriter(stream);
                writer = arrow;
                outcome = QueryEngine.StreamArrow(connection, query.Products, query.Sql, limits, schema => Begin(started, () => arrow.Begin(schema)), arrow.Write, ct);
            }
            else
            {
                var text = new TextResultWriter(stream, csv: format == ResultFormat.Csv);
                writer = text;
                outcome = QueryEngine.Stream(connection, query.Products, query.Sql, limits, columns => Begin(started, () => text.Begin(columns)), text.Write, ct);
            }

            writer.End();
            body.Complete();
            return new QueryEnd(writer.Rows, outcome.Truncated ? QueryOutcome.Truncated : QueryOutcome.Completed, null);
        }
        catch (Exception error)
        {
            var rows = writer?.Rows ?? 0;
            var outcome = error is OperationCanceledException ? QueryOutcome.Cancelled : QueryOutcome.Failed;
            var reason = (error as QueryRejectedException)?.Message;
            if (error is not (OperationCanceledException or QueryRejectedException))
            {
                logger.LogError(error, "A query failed unexpectedly");
            }

            if (started.TrySetException(error))
            {
                // Before the first byte: the caller answers with a problem.
                body.Complete();
            }
            else if (reason is not null && TryEndWithError(writer!, reason))
            {
                body.Complete();
            }
            else
            {
                body.Complete(error);
            }

            return new QueryEnd(rows, outcome, reason);
        }
        finally
        {
            release.Dispose();
            writer?.Dispose();
            connection?.Dispose();
            stop.Dispose();
        }
    }

    /// <summary>The columns are known: from here on the query answers 200, and what goes wrong is told in the stream.</summary>
    private static void Begin(TaskCompletionSource started, Action writeHeader)
    {
        started.TrySetResult();
        writeHeader();
    }

    private static bool TryEndWithError(ResultWriter writer, string reason)
    {
        try
        {
            return writer.TryEndWithError(reason);
        }
        catch (Exception error) when (error is IOException or OperationCanceledException or InvalidOperationException)
        {
            return false;
        }
    }
}
