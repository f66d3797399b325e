using Dapper;
using MeshInABox.Postgres.Migrations;
using MeshInABox.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace MeshInABox.Postgres.Tests;

public sealed class SchemaMigratorTests(PostgresServerFixture server) : IAsyncLifetime
{
    private static readonly Migration CreateA = new(1, "create_a", "CREATE TABLE a (id int PRIMARY KEY);");
    private static readonly Migration CreateB = new(2, "create_b", "CREATE TABLE b (id int PRIMARY KEY);\nINSERT INTO b VALUES (1);");
    private static readonly Migration Broken = new(3, "broken", "CREATE TABLE c (id int PRIMARY KEY);\nALTER TABLE missing ADD COLUMN x int;");

    // Each test migrates a schema of its own inside the class's database.
    private readonly string _schema = "m_" + Guid.NewGuid().ToString("N")[..12];
    private NpgsqlDataSource _dataSource = null!;

    public async ValueTask InitializeAsync() =>
        _dataSource = NpgsqlDataSource.Create(await server.DatabaseForAsync(GetType()));

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    [Fact]
    public async Task Migrate_FreshDatabase_AppliesEveryEmbeddedScriptOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        var scripts = new EmbeddedMigrationSource(typeof(SchemaMigratorTests).Assembly).Load();

        var result = await Migrator(new EmbeddedMigrationSource(typeof(SchemaMigratorTests).Assembly)).MigrateAsync(ct);

        Assert.NotEmpty(scripts);
        Assert.Equal(scripts.Select(s => s.ToString()), result.Applied);
        Assert.Equal(scripts[^1].Version, result.Version);
        Assert.Equal(scripts.Select(s => s.Version), await AppliedVersionsAsync(ct));
        Assert.Equal([1, 2], scripts.Select(s => s.Version));
        Assert.Contains("catalogue", await TablesAsync(ct));
        Assert.Equal(2, await CountRowsAsync("catalogue", ct));
    }

    [Fact]
    public async Task Migrate_SecondRun_IsNoOp()
    {
        var ct = TestContext.Current.CancellationToken;
        var source = new ListSource(CreateA, CreateB);
        await Migrator(source).MigrateAsync(ct);
        var firstHistory = await HistoryAsync(ct);

        var second = await Migrator(source).MigrateAsync(ct);

        Assert.Empty(second.Applied);
        Assert.Equal(2, second.Version);
        Assert.Equal(firstHistory, await HistoryAsync(ct));
        Assert.Equal(1, await CountRowsAsync("b", ct));
    }

    [Fact]
    public async Task Migrate_BrokenScript_RollsBackEveryPendingScript()
    {
        var ct = TestContext.Current.CancellationToken;
        await Migrator(new ListSource(CreateA)).MigrateAsync(ct);

        var error = await Assert.ThrowsAsync<MigrationException>(
            () => Migrator(new ListSource(CreateA, CreateB, Broken)).MigrateAsync(ct));

        Assert.Contains("0003_broken", error.Message);
        Assert.Contains("line 2", error.Message);
        Assert.Contains("\"missing\" does not exist", error.Message);
        Assert.Equal(["a"], await TablesAsync(ct, exclude: "schema_migrations"));
        Assert.Equal([1], await AppliedVersionsAsync(ct));
    }

    [Fact]
    public async Task Migrate_BrokenFirstScript_LeavesNoTrace()
    {
        var ct = TestContext.Current.CancellationToken;

        await Assert.ThrowsAsync<MigrationException>(() => Migrator(new ListSource(Broken)).MigrateAsync(ct));

        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        var schemaExists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM information_schema.schemata WHERE schema_name = @schema)",
            new { schema = _schema }, cancellationToken: ct));
        Assert.False(schemaExists);
    }

    [Fact]
    public async Task Migrate_AppliedScriptEdited_RefusesWithReason()
    {
        var ct = TestContext.Current.CancellationToken;
        await Migrator(new ListSource(CreateA)).MigrateAsync(ct);

        var edited = CreateA with { Sql = "CREATE TABLE a (id bigint PRIMARY KEY);" };
        var error = await Assert.ThrowsAsync<MigrationException>(
            () => Migrator(new ListSource(edited, CreateB)).MigrateAsync(ct));

        Assert.Contains("0001_create_a was changed after it was applied", error.Message);
        Assert.Equal([1], await AppliedVersionsAsync(ct));
    }

    [Fact]
    public async Task Migrate_DatabaseFromNewerBuild_RefusesWithReason()
    {
        var ct = TestContext.Current.CancellationToken;
        await Migrator(new ListSource(CreateA, CreateB)).MigrateAsync(ct);

        var error = await Assert.ThrowsAsync<MigrationException>(
            () => Migrator(new ListSource(CreateA)).MigrateAsync(ct));

        Assert.Contains("0002_create_b", error.Message);
        Assert.Contains("newer version", error.Message);
    }

    [Fact]
    public async Task Migrate_ConcurrentStarts_ApplyEachScriptOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        var source = new ListSource(CreateA, CreateB);

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Migrator(source).MigrateAsync(ct)));

        Assert.Equal(2, results.Sum(r => r.Applied.Count));
        Assert.Equal([1, 2], await AppliedVersionsAsync(ct));
    }

    private SchemaMigrator Migrator(IMigrationSource source) =>
        new(_dataSource, source, new SchemaMigratorOptions(_schema), NullLogger<SchemaMigrator>.Instance);

    private async Task<List<int>> AppliedVersionsAsync(CancellationToken ct) =>
        [.. (await HistoryAsync(ct)).Select(h => h.Version)];

    private async Task<List<(int Version, string Checksum, DateTime AppliedAt)>> HistoryAsync(CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<(int, string, DateTime)>(new CommandDefinition(
            $"SELECT version, checksum, applied_at FROM {_schema}.schema_migrations ORDER BY version", cancellationToken: ct));
        return [.. rows];
    }

    private async Task<List<string>> TablesAsync(CancellationToken ct, string? exclude = null)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = @schema AND table_name <> coalesce(@exclude, '') ORDER BY 1",
            new { schema = _schema, exclude }, cancellationToken: ct));
        return [.. rows];
    }

    private async Task<long> CountRowsAsync(string table, CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM {_schema}.{table}", cancellationToken: ct));
    }

    private sealed class ListSource(params Migration[] migrations) : IMigrationSource
    {
        public IReadOnlyList<Migration> Load() => migrations;
    }
}
