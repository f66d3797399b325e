using System.Text;
using MeshInABox.Domain.Naming;
using MeshInABox.Storage.Provisioning;
using Npgsql;

namespace MeshInABox.Storage.Postgres;

/// <summary>
/// Retiring a PostgreSQL product: its grants end, writes stop, its schema is archived to files (definitions,
/// rows as CSV, a manifest with counts and hashes), then the schema and the product's roles are dropped.
/// A restore brings the schema, tables, comments and rows back from such an archive.
/// </summary>
public sealed class PostgresArchive(NpgsqlDataSource admin, PostgresRoles roles)
{
    private const string DdlFile = "schema.sql";

    /// <summary>Retires the product, archiving it into <paramref name="archiveDirectory"/> (which must not exist yet, or hold its archive already).</summary>
    /// <param name="requestIds">The product's access requests whose grants are still in place: their access roles are dropped first.</param>
    /// <returns>Each step's result; a failed step is the last, and nothing is dropped before the archive is whole.</returns>
    public async Task<IReadOnlyList<StepResult>> RetireAsync(string productId, IEnumerable<long> requestIds, string archiveDirectory, CancellationToken ct)
    {
        var schema = MeshNames.ProductSchema(productId);
        var owner = roles.Owner(productId);
        Step[] steps =
        [
            new("drop:access", async c =>
            {
                var dropped = new List<string>();
                foreach (var access in requestIds.Distinct().Select(roles.Access))
                {
                    if (await RoleAttributes.DropAsync(c, access, ct))
                    {
                        dropped.Add(access);
                    }
                }

                return StepRunner.Result("drop:access", [dropped.Count > 0 ? "dropped " + string.Join(", ", dropped) : null]);
            }),
            new("freeze", c => FreezeAsync(c, schema, owner, ct)),
            // The dump sets its own snapshot first and reads a frozen schema: it does not wait for the lock.
            new("archive", c => DumpAsync(c, productId, schema, archiveDirectory, ct), Locked: false),
            new("drop:schema", async c =>
            {
                if (await Catalog.SchemaOidAsync(c, schema, ct) is null)
                {
                    return StepRunner.Result("drop:schema", []);
                }

                await Sql.ExecuteAsync(c, $"DROP SCHEMA {Sql.Ident(schema)} CASCADE", ct);
                return StepRunner.Result("drop:schema", [$"schema {schema} dropped"]);
            }),
            new("drop:roles", c => DropRolesAsync(c, [owner, roles.Restricted(productId), roles.Open(productId)], ct)),
        ];
        return await StepRunner.RunAsync(admin, roles.Prefix, steps, ct);
    }

    /// <summary>
    /// Recreates the product's schema from an archive: tables, primary keys, comments and rows, in one
    /// transaction. The schema belongs to the admin login until the product is provisioned again, which hands
    /// it to the owner and recreates the roles and grants.
    /// </summary>
    public async Task<IReadOnlyList<StepResult>> RestoreAsync(string archiveDirectory, string productId, CancellationToken ct)
    {
        var schema = MeshNames.ProductSchema(productId);
        ArchiveManifest? manifest = null;
        Step[] steps =
        [
            new("verify", async _ =>
            {
                (manifest, var problem) = await VerifyAsync(archiveDirectory, ct);
                return problem is null
                    ? new StepResult("verify", StepOutcome.Unchanged, $"{manifest!.Tables.Count} tables, files match their SHA-256")
                    : new StepResult("verify", StepOutcome.Failed, problem);
            }),
            new("restore", c => LoadAsync(c, schema, archiveDirectory, manifest!, ct)),
        ];
        return await StepRunner.RunAsync(admin, roles.Prefix, steps, ct);
    }

    /// <summary>
    /// Writes stop: the owner login loses LOGIN (its open sessions are ended) and its INSERT, UPDATE, DELETE and
    /// TRUNCATE rights on the tables and CREATE on the schema. Readers keep reading until the schema is dropped.
    /// </summary>
    private static async Task<StepResult> FreezeAsync(NpgsqlConnection connection, string schema, string owner, CancellationToken ct)
    {
        var actions = new List<string?>();
        if (await Sql.ScalarAsync<bool>(connection, "SELECT rolcanlogin FROM pg_roles WHERE rolname = $1", ct, owner))
        {
            await Sql.ExecuteAsync(connection, $"ALTER ROLE {Sql.Ident(owner)} NOLOGIN", ct);
            actions.Add($"{owner} may no longer log in");
        }

        var sessions = await Sql.ScalarAsync<long>(connection,
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()", ct, owner);
        if (sessions > 0)
        {
            actions.Add($"{sessions} open session(s) of {owner} ended");
        }

        if (await RoleAttributes.ExistsAsync(connection, owner, ct) && await Catalog.SchemaOidAsync(connection, schema, ct) is not null)
        {
            var writable = await Sql.ScalarAsync<long>(connection,
                """
                SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND has_table_privilege($2, c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')
                """, ct, schema, owner);
            if (writable > 0)
            {
                await Sql.ExecuteAsync(connection,
                    $"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA {Sql.Ident(schema)} FROM {Sql.Ident(owner)}", ct);
                actions.Add($"write rights of {owner} on {writable} table(s) revoked");
            }

            if (await Sql.ScalarAsync<bool>(connection, "SELECT has_schema_privilege($2, $1, 'CREATE')", ct, schema, owner))
            {
                await Sql.ExecuteAsync(connection, $"REVOKE CREATE ON SCHEMA {Sql.Ident(schema)} FROM {Sql.Ident(owner)}", ct);
                actions.Add($"CREATE on the schema revoked from {owner}");
            }
        }

        return StepRunner.Result("freeze", actions);
    }

    /// <summary>
    /// The archive is written to a sibling folder and renamed into place when complete, so the archive directory
    /// either does not exist or holds a whole archive.
    /// </summary>
    private static async Task<StepResult> DumpAsync(NpgsqlConnection connection, string productId, string schema, string archiveDirectory, CancellationToken ct)
    {
        if (Directory.Exists(archiveDirectory))
        {
            return File.Exists(Path.Combine(archiveDirectory, ArchiveManifest.FileName))
                ? new StepResult("archive", StepOutcome.Unchanged, $"already archived in {archiveDirectory}")
                : new StepResult("archive", StepOutcome.Failed, $"{archiveDirectory} exists and is not an archive: choose another directory");
        }

        // First statement of the step's transaction: one snapshot for every table, so counts and files agree.
        await Sql.ExecuteAsync(connection, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", ct);
        if (await Catalog.SchemaOidAsync(connection, schema, ct) is null)
        {
            return new StepResult("archive", StepOutcome.Failed, $"schema {schema} does not exist and {archiveDirectory} holds no archive of it");
        }

        var full = Path.GetFullPath(archiveDirectory);
        var partial = $"{full.TrimEnd(Path.DirectorySeparatorChar)}.partial-{Guid.NewGuid():N}";
        Directory.CreateDirectory(partial);
        try
        {
            var tables = await Catalog.TablesAsync(connection, schema, null, ct);
            var archived = new List<ArchivedTable>();
            var ddl = new StringBuilder();
            ddl.Append("-- Product ").Append(productId).Append(", schema ").Append(schema).Append('\n');
            ddl.Append("CREATE SCHEMA ").Append(Sql.Ident(schema)).Append(";\n");
            for (var i = 0; i < tables.Count; i++)
            {
                var table = tables[i];
                var file = $"table-{i + 1:000}.csv";
                var qualified = Sql.Qualified(schema, table.Name);
                var columns = string.Join(", ", table.Columns.Select(c => Sql.Ident(c.Name)));
                var path = Path.Combine(partial, file);
                await using (var output = new StreamWriter(path, false, new UTF8Encoding(false)))
                using (var rows = await connection.BeginTextExportAsync($"COPY (SELECT {columns} FROM {qualified}) TO STDOUT (FORMAT csv, HEADER true)", ct))
                {
                    var buffer = new char[64 * 1024];
                    int read;
                    while ((read = await rows.ReadAsync(buffer, ct)) > 0)
                    {
                        await output.WriteAsync(buffer.AsMemory(0, read), ct);
                    }
                }

                var count = await Sql.ScalarAsync<long>(connection, $"SELECT count(*) FROM {qualified}", ct);
                var entry = new ArchivedTable(table.Name, table.Comment, table.Columns, table.PrimaryKey, file, count, await ArchiveManifest.Sha256Async(path, ct));
                archived.Add(entry);
                foreach (var statement in ArchiveDdl.Statements(schema, entry))
                {
                    ddl.Append(statement).Append(";\n");
                }
            }

            var ddlPath = Path.Combine(partial, DdlFile);
            await File.WriteAllTextAsync(ddlPath, ddl.ToString(), new UTF8Encoding(false), ct);
            var manifest = new ArchiveManifest(ArchiveManifest.CurrentFormat, productId, schema, DateTimeOffset.UtcNow, DdlFile,
                await ArchiveManifest.Sha256Async(ddlPath, ct), archived);
            await manifest.WriteAsync(partial, ct);
            Directory.Move(partial, full);
            return new StepResult("archive", StepOutcome.Changed,
                $"{archived.Count} table(s), {archived.Sum(t => t.Rows)} row(s) archived in {archiveDirectory}");
        }
        finally
        {
            if (Directory.Exists(partial))
            {
                Directory.Delete(partial, recursive: true);
            }
        }
    }

    private static async Task<StepResult> DropRolesAsync(NpgsqlConnection connection, IReadOnlyList<string> productRoles, CancellationToken ct)
    {
        var dropped = new List<string>();
        foreach (var role in productRoles)
        {
            if (!await RoleAttributes.ExistsAsync(connection, role, ct))
            {
                continue;
            }

            // Whatever the role still holds in this database (default privileges, grants outside the schema) goes first.
            if (await Sql.ScalarAsync<bool>(connection, "SELECT pg_has_role(current_user, $1, 'MEMBER')", ct, role))
            {
                await Sql.ExecuteAsync(connection, $"DROP OWNED BY {Sql.Ident(role)}", ct);
            }

            await Sql.ExecuteAsync(connection, $"DROP ROLE {Sql.Ident(role)}", ct);
            dropped.Add(role);
        }

        return StepRunner.Result("drop:roles", [dropped.Count > 0 ? "dropped " + string.Join(", ", dropped) : null]);
    }

    private static async Task<(ArchiveManifest? Manifest, string? Problem)> VerifyAsync(string directory, CancellationToken ct)
    {
        if (!File.Exists(Path.Combine(directory, ArchiveManifest.FileName)))
        {
            return (null, $"{directory} holds no {ArchiveManifest.FileName}: not an archive");
        }

        var manifest = await ArchiveManifest.ReadAsync(directory, ct);
        if (manifest.Format != ArchiveManifest.CurrentFormat)
        {
            return (null, $"archive format {manifest.Format} is not one this version restores ({ArchiveManifest.CurrentFormat})");
        }

        foreach (var table in manifest.Tables)
        {
            // File names come from the manifest: only plain names inside the archive are read.
            var path = Path.Combine(directory, Path.GetFileName(table.File));
            if (Path.GetFileName(table.File) != table.File || !File.Exists(path))
            {
                return (null, $"the rows of {table.Name} ({table.File}) are missing from the archive");
            }

            if (await ArchiveManifest.Sha256Async(path, ct) != table.Sha256)
            {
                return (null, $"{table.File} (rows of {table.Name}) does not match its SHA-256 in the manifest: the archive was altered or damaged");
            }

            if (ArchiveDdl.Problem(table) is { } problem)
            {
                return (null, problem);
            }
        }

        return (manifest, null);
    }

    private static async Task<StepResult> LoadAsync(NpgsqlConnection connection, string schema, string directory, ArchiveManifest manifest, CancellationToken ct)
    {
        if (await Catalog.SchemaOidAsync(connection, schema, ct) is not null)
        {
            return new StepResult("restore", StepOutcome.Failed, $"schema {schema} exists: an archive is restored only where the product has no schema");
        }

        await Sql.ExecuteAsync(connection, $"CREATE SCHEMA {Sql.Ident(schema)}", ct);
        await Sql.ExecuteAsync(connection, $"REVOKE ALL ON SCHEMA {Sql.Ident(schema)} FROM PUBLIC", ct);
        foreach (var table in manifest.Tables)
        {
            foreach (var statement in ArchiveDdl.Statements(schema, table))
            {
                await Sql.ExecuteAsync(connection, statement, ct);
            }

            var qualified = Sql.Qualified(schema, table.Name);
            await using (var rows = await connection.BeginTextImportAsync(
                $"COPY {qualified} ({ArchiveDdl.ColumnList(table)}) FROM STDIN (FORMAT csv, HEADER true)", ct))
            using (var input = new StreamReader(Path.Combine(directory, table.File), new UTF8Encoding(false)))
            {
                var buffer = new char[64 * 1024];
                int read;
                while ((read = await input.ReadAsync(buffer, ct)) > 0)
                {
                    await rows.WriteAsync(buffer.AsMemory(0, read), ct);
                }
            }

            var count = await Sql.ScalarAsync<long>(connection, $"SELECT count(*) FROM {qualified}", ct);
            if (count != table.Rows)
            {
                return new StepResult("restore", StepOutcome.Failed, $"{table.Name}: {count} rows loaded, the manifest says {table.Rows}");
            }
        }

        return new StepResult("restore", StepOutcome.Changed,
            $"schema {schema} restored: {manifest.Tables.Count} table(s), {manifest.Tables.Sum(t => t.Rows)} row(s); provision the product to recreate its roles and grants");
    }
}
