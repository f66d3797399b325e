namespace MeshInABox.Lakehouse.Usage;

/// <summary>One query as it ended: who ran it, what it read, how it went.</summary>
/// <param name="Sql">As sent; null when the query was refused before its body was read (429).</param>
/// <param name="StatusCode">The HTTP status the caller got; null when it went away before one was sent.</param>
/// <param name="Reason">Why it did not complete: the problem's detail, or the error that ended the stream.</param>
public sealed record QueryUsage(
    Guid Id,
    string? Subject,
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    long Rows,
    QueryOutcome Outcome,
    string? Sql,
    IReadOnlyList<ProductRead> Products,
    int? StatusCode = null,
    string? Reason = null);

/// <summary>A product table a query read; <paramref name="Snapshot"/> for lakehouse tables.</summary>
public sealed record ProductRead(string ProductId, string Output, long? Snapshot = null);

/// <summary>How a query ended: it ran (the first four), or it was refused before anything was read (the rest).</summary>
public enum QueryOutcome
{
    Completed,
    Truncated,
    Failed,
    Cancelled,

    /// <summary>400: no SQL, a syntax error, a limit, a name that is no product table's.</summary>
    Invalid,

    /// <summary>403: not a plain SELECT, a restricted product without a grant, a location outside the rules.</summary>
    Forbidden,

    /// <summary>404: a product, or an output of it, the registry does not know.</summary>
    Unknown,

    /// <summary>429: the caller already ran as many queries as it may at once.</summary>
    Throttled,

    /// <summary>503: the registry or PostgreSQL was away.</summary>
    Unavailable,
}

public static class QueryOutcomes
{
    /// <summary>Every outcome as the records and <c>/usage</c> spell it.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Enum.GetValues<QueryOutcome>().Select(o => o.Name())];

    public static string Name(this QueryOutcome outcome) => outcome.ToString().ToLowerInvariant();

    public static bool IsRefusal(this QueryOutcome outcome) => outcome >= QueryOutcome.Invalid;

    /// <summary>The refusal a problem status stands for.</summary>
    public static QueryOutcome Refusal(int status) => status switch
    {
        StatusCodes.Status403Forbidden => QueryOutcome.Forbidden,
        StatusCodes.Status404NotFound => QueryOutcome.Unknown,
        StatusCodes.Status429TooManyRequests => QueryOutcome.Throttled,
        StatusCodes.Status503ServiceUnavailable => QueryOutcome.Unavailable,
        _ => QueryOutcome.Invalid,
    };
}
