using System.IO.Pipelines;
using MeshInABox.Lakehouse.Usage;

namespace MeshInABox.Lakehouse.Execution;

/// <summary>How a query that started ended: the rows it wrote, its outcome and, when it failed, why.</summary>
public sealed record QueryEnd(long Rows, QueryOutcome Outcome, string? Reason);

/// <summary>
/// A query running on its worker thread, its result written in <see cref="Format"/> as it comes, with bounded
/// memory (the pipe holds a few buffers; DuckDB waits while the client does not read).
/// </summary>
public sealed class QueryResult
{
    private readonly CancellationTokenSource _stop;

    internal QueryResult(ResultFormat format, long rowLimit, PipeReader body, Task<QueryEnd> completion, CancellationTokenSource stop)
    {
        Format = format;
        RowLimit = rowLimit;
        Body = body;
        Completion = completion;
        _stop = stop;
    }

    public ResultFormat Format { get; }

    /// <summary>The row limit: a result of exactly that many rows may have been cut.</summary>
    public long RowLimit { get; }

    /// <summary>
    /// The result's bytes. An error after the first byte ends NDJSON with a last line <c>{"error": ...}</c>;
    /// CSV and Arrow have no way to say it, so their body ends with the error, for the response to be aborted.
    /// </summary>
    public PipeReader Body { get; }

    /// <summary>How the query ended (never faulted): once <see cref="Body"/> is read to its end, or after <see cref="Stop"/>.</summary>
    public Task<QueryEnd> Completion { get; }

    /// <summary>The body's reader went away: the query stops (a no-op once it ended).</summary>
    public void Stop()
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The query already ended.
        }
    }
}
