namespace MeshInABox.Registry.Model;

/// <summary>A consumer's access request: what was asked, why, who decided, and each step of applying it where the data is.</summary>
/// <param name="Level">open or restricted: the product's access role it grants.</param>
/// <param name="Status">pending, approved, granted, denied, failed (approve again to retry) or revoked.</param>
public sealed record AccessRequestResponse(
    long Id,
    string ProductId,
    string Requester,
    string Purpose,
    string Level,
    string Status,
    string? DecidedBy,
    DateTimeOffset? DecidedAt,
    string? DecisionNote,
    IReadOnlyList<AccessStepResponse> Steps,
    DateTimeOffset RequestedAt,
    DateTimeOffset UpdatedAt);

/// <summary>One step of applying or undoing a grant: where (postgres, grant-list), what, and its outcome (unchanged, changed, failed).</summary>
public sealed record AccessStepResponse(string Where, string Step, string Outcome, string Detail, DateTimeOffset At);

/// <summary>A line of a request's append-only audit.</summary>
public sealed record AccessAuditResponse(long Id, string Actor, string Action, System.Text.Json.JsonElement Detail, DateTimeOffset At);

/// <param name="Purpose">Why the consumer needs the data (10 to 1,000 characters): the approvers read it.</param>
public sealed record AccessRequestBody(string? Purpose);

/// <param name="Note">What the approver says of the decision (at most 1,000 characters).</param>
public sealed record AccessDecisionBody(string? Note);
