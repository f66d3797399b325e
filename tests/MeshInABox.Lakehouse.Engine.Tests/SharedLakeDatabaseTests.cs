using MeshInABox.Domain.Contracts;
using MeshInABox.Iceberg.Writing;
using MeshInABox.Lakehouse.Engine.Ingest;
using MeshInABox.Lakehouse.Engine.Query;
using MeshInABox.Lakehouse.Engine.Tables;
using MeshInABox.MeshRepository.Samples;
using MeshInABox.Testing;

namespace MeshInABox.Lakehouse.Engine.Tests;

public sealed class SharedLakeDatabaseTests : IDisposable
{
    private static readonly ProductReference Impressions = new("advertising", "ad_impressions", "impressions", 0);
    private readonly string _root = TemporaryDirectory.Create("mesh-shared-");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Lake => Path.Combine(_root, "lake");

    private void Ingest(int rows, TableWriter.Mode mode)
    {
        var csv = Path.Combine(_root, $"i{rows}.csv");
        AdImpressionsGenerator.Write(csv, rows);
        var contract = ContractReader.Read(File.ReadAllText(Path.Combine(RepositoryLayout.SampleMesh, "advertising", "ad-impressions", "contracts", "impressions.odcs.yaml")), "i").Contract;
        Assert.True(LakeIngest.Run(csv, LakeTableName.Parse("advertising.ad-impressions.impressions"), contract, mode, Lake).Committed);
    }

    private long Count(SharedLakeDatabase shared)
    {
        var source = ProductSources.Iceberg(LakeTableName.Parse("advertising.ad-impressions.impressions").DirectoryIn(Lake));
        using var connection = shared.Connect(new Dictionary<ProductReference, ProductSource> { [Impressions] = source });
        long count = 0;
        QueryEngine.Stream(connection, [Impressions], "SELECT count(*) FROM advertising.ad_impressions.impressions", QueryLimits.Default,
            _ => { }, row => count = Convert.ToInt64(row[0], System.Globalization.CultureInfo.InvariantCulture), TestContext.Current.CancellationToken);
        return count;
    }

    [Fact]
    public void Views_FollowTheTablesCurrentSnapshot()
    {
        Ingest(1_000, TableWriter.Mode.Append);
        using var shared = new SharedLakeDatabase(Lake, QueryLimits.Default);

        var before = Count(shared);
        Ingest(250, TableWriter.Mode.Overwrite);
        var after = Count(shared);

        Assert.Equal((1_000, 250), (before, after));
    }

    [Fact]
    public void Covers_OnlyLakeDirectories_AndFilesOutsideTheLakeStayClosed()
    {
        using var shared = new SharedLakeDatabase(Lake, QueryLimits.Default);
        var outside = new ProductSource("SELECT * FROM read_csv('/etc/passwd')", ["/etc"]);

        Assert.False(shared.Covers([outside]));
        Assert.True(shared.Covers([new ProductSource("SELECT 1", [Path.Combine(Lake, "a", "b", "c")])]));
        var error = Assert.Throws<DuckDB.NET.Data.DuckDBException>(() => shared.Connect(new Dictionary<ProductReference, ProductSource> { [new("x", "y", "z", 0)] = outside }).Dispose());
        Assert.Contains("disabled by configuration", error.Message);
    }
}
