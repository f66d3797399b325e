using MeshInABox.Domain.Naming;

namespace MeshInABox.Registry.OpenLineage;

/// <summary>
/// Which mesh domain an event speaks for: a job's namespace (a dataset's, for a DatasetEvent) is
/// <c>mesh://&lt;domain&gt;</c>. The namespace is where OpenLineage puts the owner of a job (the scheduler
/// or team), and producers set it once in their configuration (e.g. OPENLINEAGE_NAMESPACE), so job names
/// stay as the tool writes them (Airflow's <c>dag.task</c>, dbt's <c>model.project.name</c>).
/// </summary>
public static class LineageDomains
{
    public const string Scheme = "mesh://";

    /// <summary>The domain a namespace names, or null with the reason it names none.</summary>
    public static string? Of(string @namespace, out string? reason)
    {
        if (!@namespace.StartsWith(Scheme, StringComparison.Ordinal))
        {
            reason = $"The namespace {MeshNames.Quote(@namespace)} names no mesh domain: lineage is accepted for namespaces '{Scheme}<domain>' only (e.g. '{Scheme}content').";
            return null;
        }

        var domain = @namespace[Scheme.Length..];
        if (MeshNames.Domain(domain) is { } rule)
        {
            reason = $"The namespace {MeshNames.Quote(@namespace)} names no mesh domain: {rule}";
            return null;
        }

        reason = null;
        return domain;
    }
}
