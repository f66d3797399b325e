using System.Globalization;
using MeshInABox.Lakehouse.Execution;
using MeshInABox.Lakehouse.Usage;

namespace MeshInABox.Lakehouse.Apis;

/// <summary>
/// A running query's result as the response: its format's content type, the row limit up front, the body as the
/// query writes it. A client that disconnects stops the query; a stream cut by an error the format cannot tell
/// (CSV, Arrow) is aborted, so a client never takes a cut stream for a whole one.
/// </summary>
/// <param name="finished">Told how the query ended and the status it was answered with, once the response is done (usage records).</param>
public sealed class QueryResponse(QueryResult result, Action<QueryEnd, int?> finished) : IResult
{
    private const string TruncatedTrailer = "X-Mesh-Truncated";

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var ct = httpContext.RequestAborted;
        response.ContentType = result.Format.ContentType;
        // Whether rows were cut is known only at the end, after the headers left: say the limit now, and where
        // the protocol allows it (HTTP/2), confirm the cut in a trailer.
        response.Headers["X-Mesh-Row-Limit"] = result.RowLimit.ToString(CultureInfo.InvariantCulture);
        var trailer = result.Format.Text && response.SupportsTrailers();
        if (trailer)
        {
            response.DeclareTrailer(TruncatedTrailer);
        }

        try
        {
            await result.Body.CopyToAsync(response.Body, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away; the query is stopped below.
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            httpContext.Abort();
        }
        finally
        {
            result.Stop();
            await result.Body.CompleteAsync();
            var end = await result.Completion;
            if (trailer && end.Outcome == QueryOutcome.Truncated)
            {
                response.AppendTrailer(TruncatedTrailer, "true");
            }

            finished(end, end.Outcome is QueryOutcome.Completed or QueryOutcome.Truncated || response.HasStarted ? response.StatusCode : null);
        }
    }
}
