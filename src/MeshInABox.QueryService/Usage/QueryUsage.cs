namespace MeshInABox.QueryService.Usage;

/// <summary>One query as it ended: who ran it, what it read, how it went.</summary>
public sealed record QueryUsage(
    Guid Id,
    string? Subject,
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    long Rows,
    QueryOutcome Outcome,
    string Sql,
    IReadOnlyList<ProductRead> Products);

/// <summary>A product table a query read; <paramref name="Snapshot"/> for lakehouse tables.</summary>
public sealed record ProductRead(string ProductId, string Output, long? Snapshot = null);

public enum QueryOutcome
{
    Completed,
    Truncated,
    Failed,
    Cancelled,
}
