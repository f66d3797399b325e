using MeshInABox.Postgres.LocalCluster;
using MeshInABox.Testing;
using Npgsql;

namespace MeshInABox.Postgres.Tests;

public sealed class LocalPostgresClusterTests : IDisposable
{
    private readonly string _root = TemporaryDirectory.Create("mesh-cluster-");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Start_DataDirectoryWithForeignFiles_RefusesAndTouchesNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = Directory.CreateDirectory(Path.Combine(_root, "cluster", "data")).FullName;
        await File.WriteAllTextAsync(Path.Combine(data, "notes.txt"), "mine", ct);

        var error = await Assert.ThrowsAsync<LocalClusterException>(
            () => LocalPostgresCluster.StartAsync(new LocalPostgresOptions(Path.Combine(_root, "cluster")), ct));

        Assert.Contains("holds no PostgreSQL cluster", error.Message);
        Assert.Equal(["notes.txt"], Directory.EnumerateFileSystemEntries(data).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Start_RestartAfterCrash_StopsTheOrphanAndServesTheSameData()
    {
        var ct = TestContext.Current.CancellationToken;
        var options = new LocalPostgresOptions(Path.Combine(_root, "cluster"), Durable: false);
        var first = await LocalPostgresCluster.StartAsync(options, ct);
        await first.EnsureDatabaseAsync("meshdb", ct);
        await ScalarAsync(first, "CREATE TABLE survived (id int); INSERT INTO survived VALUES (42)", ct);
        var orphan = first.ServerPid;

        // The mesh that owned it died without stopping it: a new start must take over.
        var second = await LocalPostgresCluster.StartAsync(options, ct);
        try
        {
            Assert.NotNull(orphan);
            Assert.NotEqual(orphan, second.ServerPid);
            Assert.Equal(42, await ScalarAsync(second, "SELECT id FROM survived", ct));
        }
        finally
        {
            await second.StopAsync(immediate: true, ct);
        }
    }

    private static async Task<object?> ScalarAsync(LocalPostgresCluster cluster, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(cluster.ConnectionString("meshdb") + ";Pooling=false");
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(ct);
    }
}
