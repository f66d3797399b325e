using MeshInABox.Postgres.LocalCluster;

namespace MeshInABox.Testing;

/// <summary>Temporary directories for tests, reachable by the PostgreSQL service account.</summary>
public static class TemporaryDirectory
{
    public static string Create(string prefix) => ReachableTempDirectory.Create(prefix);
}
