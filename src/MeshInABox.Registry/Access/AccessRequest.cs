using System.Text.Json;

namespace MeshInABox.Registry.Access;

/// <summary>What a request asks for: an open product's open role, or a restricted product's restricted role.</summary>
public enum AccessLevel
{
    Open,
    Restricted,
}

/// <summary>
/// Where a request has got to: pending (waiting for its approvers), approved (decided, being applied), granted
/// (applied where the data is), denied, failed (approved but a step of applying it failed: approving again retries),
/// revoked (taken away, and undone where the data is).
/// </summary>
public enum AccessStatus
{
    Pending,
    Approved,
    Granted,
    Denied,
    Failed,
    Revoked,
}

/// <summary>A consumer's request to read a product, and what came of it.</summary>
public sealed record AccessRequest(
    long Id,
    string ProductId,
    string Requester,
    string Purpose,
    AccessLevel Level,
    AccessStatus Status,
    string? DecidedBy,
    DateTimeOffset? DecidedAt,
    string? DecisionNote,
    IReadOnlyList<AccessStep> Steps,
    DateTimeOffset RequestedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>Whether the request stands (so asking again returns it instead of a new one).</summary>
    public bool Live => Status is AccessStatus.Pending or AccessStatus.Approved or AccessStatus.Granted or AccessStatus.Failed;
}

/// <summary>One step of applying or undoing a grant where the data is.</summary>
/// <param name="Where">The store the step ran against: <c>postgres</c>, <c>grant-list</c> (the lakehouse's).</param>
/// <param name="Outcome">unchanged, changed or failed.</param>
public sealed record AccessStep(string Where, string Step, string Outcome, string Detail, DateTimeOffset At)
{
    public bool Failed => Outcome == "failed";
}

/// <summary>One line of the append-only audit: who did what to a request, and when.</summary>
public sealed record AccessAuditEntry(long Id, long RequestId, string ProductId, string Actor, string Action, JsonElement Detail, DateTimeOffset At);
