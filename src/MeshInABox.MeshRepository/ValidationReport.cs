using MeshInABox.Domain.Governance;

namespace MeshInABox.MeshRepository;

/// <summary>The outcome of validating a mesh repo, with the exit code CI acts on.</summary>
/// <param name="RulesEvaluated">Policy evaluations run (each product against each policy that applies to it), so "no findings" can be told from "nothing checked".</param>
public sealed record ValidationReport(string Root, int Products, int RulesEvaluated, IReadOnlyList<Finding> Findings)
{
    public const int Clean = 0;
    public const int PolicyViolations = 1;
    public const int UnreadableInput = 2;

    /// <summary>Each transform's lineage, in the order the products were validated (those refused before analysis are not here).</summary>
    public IReadOnlyList<OutputLineage> Lineage { get; init; } = [];

    public int Errors => Findings.Count(f => f.Severity == Severity.Error);

    public int Warnings => Findings.Count(f => f.Severity == Severity.Warning);

    /// <summary>0 clean (warnings allowed), 1 policy errors, 2 some input could not be read.</summary>
    public int ExitCode =>
        Findings.Any(f => f.Kind == FindingKind.Unreadable) ? UnreadableInput
        : Errors > 0 ? PolicyViolations
        : Clean;
}
