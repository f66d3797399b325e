namespace MeshInABox.Lakehouse.Execution;

/// <summary>A format a query's result is written in, as the Accept header asks for it.</summary>
/// <param name="MediaType">The media type a client asks for.</param>
/// <param name="ContentType">The response's Content-Type.</param>
/// <param name="Text">One line per row (a row cut by the row limit is confirmed in a trailer where HTTP allows one).</param>
public sealed record ResultFormat(string MediaType, string ContentType, bool Text)
{
    public static readonly ResultFormat NdJson = new("application/x-ndjson", "application/x-ndjson; charset=utf-8", Text: true);
    public static readonly ResultFormat Csv = new("text/csv", "text/csv; charset=utf-8", Text: true);
    public static readonly ResultFormat Arrow = new("application/vnd.apache.arrow.stream", "application/vnd.apache.arrow.stream", Text: false);

    /// <summary>Arrow IPC when asked for, else CSV when asked for, else NDJSON.</summary>
    public static ResultFormat FromAccept(string accept) =>
        accept.Contains(Arrow.MediaType, StringComparison.OrdinalIgnoreCase) ? Arrow
        : accept.Contains(Csv.MediaType, StringComparison.OrdinalIgnoreCase) ? Csv
        : NdJson;
}
