using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using DuckDB.NET.Data;
using MeshInABox.Lakehouse.Engine.Query;
using MeshInABox.Lakehouse.Usage;

namespace MeshInABox.Lakehouse.Apis;

/// <summary>
/// Streams a query's rows as they come, with bounded memory (a small channel
/// between DuckDB's thread and the response). A client that disconnects cancels
/// the query. Errors before the first byte are problem details; after it, a
/// last NDJSON line <c>{"error": ...}</c>.
/// </summary>
/// <param name="connection">The connection the query runs on; disposed when it ends.</param>
/// <param name="rowLimit">The row limit, sent up front as <c>X-Mesh-Row-Limit</c>: a result of exactly that many rows may be cut.</param>
/// <param name="finished">Told how many rows the query sent, how it ended and why when it failed (usage records).</param>
/// <param name="run">Runs the query, reporting columns then rows.</param>
public sealed class QueryStreamResult(
    DuckDBConnection connection,
    string format,
    long rowLimit,
    Action<long, QueryOutcome, string?> finished,
    Func<Action<IReadOnlyList<(string Name, Type Type)>>, Action<object?[]>, CancellationToken, QueryEngine.Outcome> run) : IResult
{
    public const string NdJson = "application/x-ndjson";
    public const string Csv = "text/csv";
    private const string TruncatedTrailer = "X-Mesh-Truncated";

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        long sent = 0;
        (QueryOutcome Outcome, string? Reason) end = (QueryOutcome.Failed, null);
        try
        {
            end = await StreamAsync(httpContext, () => sent++);
        }
        catch (OperationCanceledException) when (httpContext.RequestAborted.IsCancellationRequested)
        {
            end = (QueryOutcome.Cancelled, null);
            throw;
        }
        catch (QueryRejectedException error)
        {
            // A CSV stream cut by an error: the response is aborted, the record says why.
            end = (QueryOutcome.Failed, error.Message);
            throw;
        }
        finally
        {
            finished(sent, end.Outcome, end.Reason);
        }
    }

    private async Task<(QueryOutcome, string?)> StreamAsync(HttpContext httpContext, Action onRowSent)
    {
        var ct = httpContext.RequestAborted;
        var rows = Channel.CreateBounded<object?[]>(new BoundedChannelOptions(256) { SingleReader = true, SingleWriter = true });
        var columns = new TaskCompletionSource<IReadOnlyList<(string Name, Type Type)>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = Task.Run(() =>
        {
            try
            {
                var outcome = run(c => columns.TrySetResult(c), row => rows.Writer.WriteAsync(row, ct).AsTask().GetAwaiter().GetResult(), ct);
                rows.Writer.TryComplete();
                return outcome;
            }
            catch (Exception error)
            {
                columns.TrySetException(error);
                rows.Writer.TryComplete(error);
                throw;
            }
            finally
            {
                connection.Dispose();
            }
        }, CancellationToken.None);

        IReadOnlyList<(string Name, Type Type)> header;
        try
        {
            header = await columns.Task;
        }
        catch (QueryRejectedException error)
        {
            await QueryApi.Problem(error, httpContext).ExecuteAsync(httpContext);
            return (QueryOutcome.Failed, error.Message);
        }

        httpContext.Response.ContentType = format == Csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";
        // Whether rows were cut is known only at the end, after the headers left: say the limit now, and where
        // the protocol allows it (HTTP/2), confirm the cut in a trailer.
        httpContext.Response.Headers["X-Mesh-Row-Limit"] = rowLimit.ToString(CultureInfo.InvariantCulture);
        if (httpContext.Response.SupportsTrailers())
        {
            httpContext.Response.DeclareTrailer(TruncatedTrailer);
        }

        var writer = new StreamWriter(httpContext.Response.Body, new UTF8Encoding(false), 1 << 16);
        await using (writer)
        {
            if (format == Csv)
            {
                await writer.WriteLineAsync(string.Join(',', header.Select(h => CsvField(h.Name))));
            }

            try
            {
                await foreach (var row in rows.Reader.ReadAllAsync(ct))
                {
                    await writer.WriteLineAsync(format == Csv ? CsvLine(row) : JsonLine(header, row));
                    onRowSent();
                }

                var outcome = await running;
                if (outcome.Truncated && httpContext.Response.SupportsTrailers())
                {
                    httpContext.Response.AppendTrailer(TruncatedTrailer, "true");
                }

                return (outcome.Truncated ? QueryOutcome.Truncated : QueryOutcome.Completed, null);
            }
            catch (QueryRejectedException error) when (format == NdJson)
            {
                await writer.WriteLineAsync(JsonSerializer.Serialize(new { error = error.Message }));
                return (QueryOutcome.Failed, error.Message);
            }
        }
    }

    private static string JsonLine(IReadOnlyList<(string Name, Type Type)> header, object?[] row)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            for (var i = 0; i < row.Length; i++)
            {
                json.WritePropertyName(header[i].Name);
                JsonSerializer.Serialize(json, Plain(row[i]));
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    // DuckDB's HUGEINT arrives as BigInteger; JSON and CSV get its decimal digits.
    private static object? Plain(object? value) => value is System.Numerics.BigInteger big ? decimal.Parse(big.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : value;

    private static string CsvLine(object?[] row) =>
        string.Join(',', row.Select(v => v switch
        {
            null => "",
            IFormattable formattable => CsvField(formattable.ToString(null, CultureInfo.InvariantCulture)),
            _ => CsvField(v.ToString() ?? ""),
        }));

    private static string CsvField(string text) =>
        text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
}
