using MeshInABox.Domain.Documents;

namespace MeshInABox.Domain.Governance;

public enum Severity
{
    Error,
    Warning,
}

/// <summary>A policy's identity: what it checks and how to satisfy it.</summary>
public sealed record PolicyInfo(string Id, Severity Severity, string Summary, string Fix);

/// <summary>One place where a product breaks a policy.</summary>
public sealed record Violation(string PolicyId, Severity Severity, string Message, string Fix, SourceLocation Location)
{
    public static Violation Of(PolicyInfo policy, string message, SourceLocation at) =>
        new(policy.Id, policy.Severity, message, policy.Fix, at);
}
