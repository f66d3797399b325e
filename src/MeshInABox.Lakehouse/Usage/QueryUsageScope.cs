using MeshInABox.Lakehouse.Execution;

namespace MeshInABox.Lakehouse.Usage;

/// <summary>
/// The usage record of one query while it runs: started with the request, told what the query reads once its
/// products are known, and finished once with how it ended. A query refused before its products were known read nothing.
/// </summary>
public sealed class QueryUsageScope(UsageRecorder usage, TimeProvider time, string? subject, string? sql)
{
    private readonly DateTimeOffset _started = time.GetUtcNow();
    private IReadOnlyList<ProductRead>? _reads;

    public string? Subject => subject;

    public void Reads(IReadOnlyList<ProductRead> reads) => _reads = reads;

    /// <summary>Answered with a problem: a refusal if nothing was read yet, else a query that failed while reading.</summary>
    public void Refused(int status, string reason) =>
        Finish(_reads is null ? QueryOutcomes.Refusal(status) : QueryOutcome.Failed, 0, status, reason);

    public void Cancelled() => Finish(QueryOutcome.Cancelled, 0, null, null);

    public void Ended(QueryEnd end, int? status) => Finish(end.Outcome, end.Rows, status, end.Reason);

    private void Finish(QueryOutcome outcome, long rows, int? status, string? reason) => usage.Record(new QueryUsage(
        Guid.CreateVersion7(_started), subject, _started, time.GetUtcNow() - _started, rows, outcome, sql, _reads ?? [], status, reason));
}
