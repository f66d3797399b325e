using MeshInABox.Postgres.LocalCluster;
using MeshInABox.Testing;

namespace MeshInABox.Postgres.Tests;

public sealed class PostgresBinariesTests : IDisposable
{
    private readonly string _root = TemporaryDirectory.Create("mesh-bin-");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Find_NoInstallation_SaysHowToInstallOrWhereToPoint()
    {
        var error = Assert.Throws<LocalClusterException>(() => PostgresBinaries.Find([_root, Path.Combine(_root, "missing")]));

        Assert.Contains("apt-get install postgresql", error.Message);
        Assert.Contains(PostgresBinaries.OverrideVariable, error.Message);
        Assert.Contains("ConnectionStrings__meshdb", error.Message);
    }

    [Fact]
    public void Find_SeveralVersions_PicksNewestUnlessAClusterNeedsAnother()
    {
        var v15 = FakeInstallation("15");
        var v16 = FakeInstallation("16");

        Assert.Equal(new PostgresBinaries(v16, 16), PostgresBinaries.Find([v15, v16]));
        Assert.Equal(new PostgresBinaries(v15, 15), PostgresBinaries.Find([v15, v16], requiredMajor: 15));
    }

    [Fact]
    public void Find_ClusterVersionNotInstalled_NamesBothVersionsAndTheWaysOut()
    {
        var v15 = FakeInstallation("15");

        var error = Assert.Throws<LocalClusterException>(() => PostgresBinaries.Find([v15], requiredMajor: 12, dataDirectory: "/srv/mesh"));

        Assert.Contains("/srv/mesh holds a PostgreSQL 12 cluster", error.Message);
        Assert.Contains("installed server is PostgreSQL 15", error.Message);
        Assert.Contains("pg_upgrade", error.Message);
    }

    [Fact]
    public void Find_DirectoryMissingATool_IsNotAnInstallation()
    {
        var partial = FakeInstallation("14");
        File.Delete(Path.Combine(partial, "postgres"));

        Assert.Throws<LocalClusterException>(() => PostgresBinaries.Find([partial]));
    }

    private string FakeInstallation(string major)
    {
        var bin = Directory.CreateDirectory(Path.Combine(_root, major, "bin")).FullName;
        foreach (var tool in new[] { "initdb", "pg_ctl", "postgres" })
        {
            File.WriteAllText(Path.Combine(bin, tool), "");
        }

        return bin;
    }
}
