using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using MeshInABox.Postgres.LocalCluster;
using Npgsql;
using Xunit;

namespace MeshInABox.Testing;

/// <summary>
/// One real PostgreSQL server per test run: <c>MESH_TEST_POSTGRES</c> when set
/// (a connection string with the right to create databases), otherwise a
/// throwaway cluster from the local binaries, removed at the end. Each test
/// class gets a database of its own, so tests never see each other's rows.
/// </summary>
/// <remarks>Register per test assembly: <c>[assembly: AssemblyFixture(typeof(PostgresServerFixture))]</c>.</remarks>
public sealed partial class PostgresServerFixture : IAsyncLifetime
{
    public const string ServerVariable = "MESH_TEST_POSTGRES";

    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _databases = new();
    private LocalPostgresCluster? _cluster;
    private string? _clusterRoot;
    private string _maintenanceConnectionString = "";

    /// <summary>Connection string of the server's maintenance database.</summary>
    public string MaintenanceConnectionString => _maintenanceConnectionString;

    public async ValueTask InitializeAsync()
    {
        var given = Environment.GetEnvironmentVariable(ServerVariable);
        if (!string.IsNullOrWhiteSpace(given))
        {
            _maintenanceConnectionString = given;
            return;
        }

        _clusterRoot = TemporaryDirectory.Create("mesh-test-pg-");
        _cluster = await LocalPostgresCluster.StartAsync(
            new LocalPostgresOptions(Path.Combine(_clusterRoot, "cluster"), Durable: false), CancellationToken.None);
        _maintenanceConnectionString = _cluster.ConnectionString("postgres");
    }

    /// <summary>The database of one test class, created on first use.</summary>
    public Task<string> DatabaseForAsync(Type testClass) =>
        _databases.GetOrAdd(testClass.FullName!, _ => new Lazy<Task<string>>(() => CreateDatabaseAsync(testClass.Name))).Value;

    /// <summary>
    /// A database for one test alone, for tests that run a whole service
    /// (which owns its schema) and so cannot share the class's database.
    /// </summary>
    public Task<string> NewDatabaseAsync(string label) =>
        _databases.GetOrAdd(label + Guid.NewGuid(), _ => new Lazy<Task<string>>(() => CreateDatabaseAsync(label))).Value;

    private async Task<string> CreateDatabaseAsync(string label)
    {
        // Unique per run too, so a shared MESH_TEST_POSTGRES server never hands over an old run's rows.
        var suffix = "_" + Guid.NewGuid().ToString("N")[..8];
        var stem = NonIdentifier().Replace(label.ToLowerInvariant(), "_");
        var name = "t_" + stem[..Math.Min(stem.Length, 50)] + suffix;

        await using var connection = new NpgsqlConnection(_maintenanceConnectionString);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await create.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(_maintenanceConnectionString) { Database = name }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.StopAsync(immediate: true, CancellationToken.None);
            Directory.Delete(_clusterRoot!, recursive: true);
            return;
        }

        // A shared server keeps running: drop what this run created there.
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_maintenanceConnectionString);
        await connection.OpenAsync();
        foreach (var database in _databases.Values.Where(d => d.IsValueCreated && d.Value.IsCompletedSuccessfully))
        {
            var name = new NpgsqlConnectionStringBuilder(database.Value.Result).Database;
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    [GeneratedRegex("[^a-z0-9_]")]
    private static partial Regex NonIdentifier();
}
