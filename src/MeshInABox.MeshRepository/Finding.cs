using MeshInABox.Domain.Documents;
using MeshInABox.Domain.Governance;

namespace MeshInABox.MeshRepository;

/// <summary>What a finding is about: a file that could not be read at all, or a broken policy.</summary>
public enum FindingKind
{
    Unreadable,
    Policy,
}

/// <summary>One thing <c>mesh validate</c> reports, positioned in the repo.</summary>
public sealed record Finding(FindingKind Kind, Severity Severity, string? PolicyId, string Message, string? Fix, SourceLocation Location)
{
    public static Finding Unreadable(DocumentError error) =>
        new(FindingKind.Unreadable, Severity.Error, null, error.Message, "Fix the file's syntax.", error.Location);

    public static Finding From(Violation violation) =>
        new(FindingKind.Policy, violation.Severity, violation.PolicyId, violation.Message, violation.Fix, violation.Location);
}
