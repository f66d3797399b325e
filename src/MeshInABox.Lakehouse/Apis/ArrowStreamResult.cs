using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using DuckDB.NET.Data;
using MeshInABox.Lakehouse.Engine.Query;
using MeshInABox.Lakehouse.Usage;

namespace MeshInABox.Lakehouse.Apis;

/// <summary>
/// A query's result as an Arrow IPC stream (<c>application/vnd.apache.arrow.stream</c>):
/// DuckDB's record batches written as they come. Errors before the schema are
/// problem details; a failure after it aborts the response, so a client never
/// takes a cut stream for a whole one.
/// </summary>
/// <param name="run">Runs the query: schema first, then each batch.</param>
public sealed class ArrowStreamResult(
    DuckDBConnection connection,
    long rowLimit,
    Action<long, QueryOutcome, string?> finished,
    Func<Func<Schema, Task>, Func<RecordBatch, Task>, CancellationToken, Task<QueryEngine.Outcome>> run) : IResult
{
    public const string ContentType = "application/vnd.apache.arrow.stream";

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var ct = httpContext.RequestAborted;
        ArrowStreamWriter? writer = null;
        long sent = 0;
        var outcome = QueryOutcome.Failed;
        string? reason = null;
        try
        {
            var result = await run(
                schema =>
                {
                    response.ContentType = ContentType;
                    response.Headers["X-Mesh-Row-Limit"] = rowLimit.ToString(CultureInfo.InvariantCulture);
                    writer = new ArrowStreamWriter(response.Body, schema, leaveOpen: true);
                    return writer.WriteStartAsync(ct);
                },
                async batch =>
                {
                    await writer!.WriteRecordBatchAsync(batch, ct);
                    sent += batch.Length;
                },
                ct);
            await writer!.WriteEndAsync(ct);
            outcome = result.Truncated ? QueryOutcome.Truncated : QueryOutcome.Completed;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            outcome = QueryOutcome.Cancelled;
        }
        catch (QueryRejectedException error) when (!response.HasStarted)
        {
            reason = error.Message;
            await QueryApi.Problem(error, httpContext).ExecuteAsync(httpContext);
        }
        catch (QueryRejectedException error)
        {
            reason = error.Message;
            httpContext.Abort();
        }
        finally
        {
            writer?.Dispose();
            connection.Dispose();
            finished(sent, outcome, reason);
        }
    }
}
