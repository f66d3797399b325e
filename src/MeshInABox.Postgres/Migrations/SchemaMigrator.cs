using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MeshInABox.Postgres.Migrations;

/// <summary>
/// Applies pending scripts in one transaction: either all of them land with
/// their history rows, or the database is left exactly as it was.
/// </summary>
public sealed partial class SchemaMigrator(
    NpgsqlDataSource dataSource,
    IMigrationSource source,
    SchemaMigratorOptions options,
    ILogger<SchemaMigrator> logger)
{
    // Serialises migrators of several service instances starting at once.
    private const long AdvisoryLockKey = 0x4D45_5348_4D49_4752; // "MESHMIGR"

    public async Task<MigrationResult> MigrateAsync(CancellationToken ct)
    {
        var migrations = source.Load();
        var schema = QuoteIdentifier(options.Schema);

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);

        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            SELECT pg_advisory_xact_lock(@key);
            CREATE SCHEMA IF NOT EXISTS {schema};
            SET LOCAL search_path TO {schema};
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer     PRIMARY KEY,
                name       text        NOT NULL,
                checksum   text        NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            );
            """,
            new { key = AdvisoryLockKey }, transaction, cancellationToken: ct));

        var applied = (await connection.QueryAsync<AppliedMigration>(new CommandDefinition(
            "SELECT version, name, checksum FROM schema_migrations ORDER BY version",
            transaction: transaction, cancellationToken: ct))).ToList();

        CheckHistory(applied, migrations);

        var appliedVersions = applied.Select(a => a.Version).ToHashSet();
        var pending = migrations.Where(m => !appliedVersions.Contains(m.Version)).ToList();
        foreach (var migration in pending)
        {
            await ApplyAsync(connection, transaction, migration, ct);
        }

        await transaction.CommitAsync(ct);

        var version = migrations.Count == 0 ? 0 : migrations[^1].Version;
        LogMigrated(logger, options.Schema, pending.Count, version);
        return new MigrationResult(version, [.. pending.Select(m => m.ToString())]);
    }

    private static async Task ApplyAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Migration migration, CancellationToken ct)
    {
        // One statement at a time, so a failure names the script's line.
        foreach (var statement in SqlScript.Split(migration.Sql))
        {
            try
            {
                await connection.ExecuteAsync(new CommandDefinition(statement.Text, transaction: transaction, cancellationToken: ct));
            }
            catch (PostgresException error)
            {
                var line = SqlScript.LineAt(migration.Sql, statement.Offset + Math.Max(error.Position - 1, 0));
                throw new MigrationException(
                    $"Migration {migration} failed at line {line}: {error.MessageText} (SQLSTATE {error.SqlState}). " +
                    "No migration was applied; the schema is unchanged.", error);
            }
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES (@Version, @Name, @Checksum)",
            new { migration.Version, migration.Name, migration.Checksum }, transaction, cancellationToken: ct));
    }

    private static void CheckHistory(IReadOnlyList<AppliedMigration> applied, IReadOnlyList<Migration> migrations)
    {
        var known = migrations.ToDictionary(m => m.Version);
        foreach (var row in applied)
        {
            if (!known.TryGetValue(row.Version, out var migration))
            {
                throw new MigrationException(
                    $"The database has migration {row.Version:D4}_{row.Name}, which this build does not know: " +
                    "it was migrated by a newer version of the service.");
            }

            if (migration.Checksum != row.Checksum)
            {
                throw new MigrationException(
                    $"Migration {migration} was changed after it was applied. Add a new migration instead of editing an applied one.");
            }
        }
    }

    private static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    [LoggerMessage(Level = LogLevel.Information, Message = "Schema {Schema}: applied {Count} migration(s), now at version {Version}")]
    private static partial void LogMigrated(ILogger logger, string schema, int count, int version);

    private sealed record AppliedMigration(int Version, string Name, string Checksum);
}

/// <summary>The schema version reached and the scripts this run applied.</summary>
public sealed record MigrationResult(int Version, IReadOnlyList<string> Applied);
