using MeshInABox.Storage.Postgres;
using MeshInABox.Storage.Provisioning;
using MeshInABox.Testing;

namespace MeshInABox.Storage.Tests.Postgres;

/// <summary>Retiring a product archives it whole before anything is dropped; the archive restores.</summary>
public sealed class PostgresArchiveTests(PostgresServerFixture server) : IDisposable
{
    private const string Rows = "SELECT order_id, customer_email, margin, amount, status, placed_at FROM sales__orders.orders ORDER BY order_id";

    private const string Columns =
        """
        SELECT c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, col_description(c.oid, a.attnum), obj_description(c.oid, 'pg_class')
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        WHERE c.relnamespace = 'sales__orders'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY c.relname, a.attnum
        """;

    private readonly string _root = TemporaryDirectory.Create("mesh-pg-archive-");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Retire_DropsGrantsSchemaAndRoles_LeavesAnArchiveThatRestoresTheSameRowsAndColumns()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bed = await PostgresBed.CreateAsync(server, nameof(PostgresArchiveTests));
        var contract = PostgresBed.Contract(Contracts.Orders);
        await bed.ProvisionAsync(contract, ct);
        await bed.ExecuteAsync(
            """
            INSERT INTO sales__orders.orders (order_id, customer_email, margin, amount, status, placed_at) VALUES
              (1, 'a@example.com', 3.5, 12, 'new', '2026-01-02T03:04:05Z'),
              (2, 'quote"and,comma', NULL, 0.01, '', '2026-02-03T04:05:06Z'),
              (3, E'two\nlines', -1, 99.99, NULL, '2026-03-04T05:06:07Z');
            INSERT INTO sales__orders.order_lines (order_id, line, sku, quantity, gift) VALUES (1, 1, 'X', 2, true), (1, 2, 'Y', 1, NULL);
            """, ct);
        var access = bed.Access();
        await access.GrantAsync(31, PostgresBed.ProductId, "bob", AccessLevel.Restricted, ct);
        var rows = await bed.RowsAsync(Rows, ct);
        var lines = await bed.RowsAsync("SELECT * FROM sales__orders.order_lines ORDER BY line", ct);
        var columns = await bed.RowsAsync(Columns, ct);
        var archive = Path.Combine(_root, "sales.orders");

        var retired = await bed.Archive.RetireAsync(PostgresBed.ProductId, [31], archive, ct);

        Assert.Equal(["drop:access", "freeze", "archive", "drop:schema", "drop:roles"], retired.Select(s => s.Step));
        Assert.All(retired, s => Assert.Equal(StepOutcome.Changed, s.Outcome));
        Assert.Empty(await bed.RowsAsync("SELECT 1 FROM pg_namespace WHERE nspname = 'sales__orders'", ct));
        Assert.Equal([bed.Roles.Metadata, bed.Roles.Consumer("bob")], await bed.RowsAsync($"SELECT rolname FROM pg_roles WHERE rolname LIKE '{bed.Roles.Prefix}\\_%' ORDER BY rolname", ct));
        Assert.Equal([archive], Directory.GetDirectories(_root));
        var manifest = await ArchiveManifest.ReadAsync(archive, ct);
        Assert.Equal([("order_lines", 2L), ("orders", 3L)], manifest.Tables.Select(t => (t.Name, t.Rows)));
        foreach (var table in manifest.Tables)
        {
            Assert.Equal(table.Sha256, await ArchiveManifest.Sha256Async(Path.Combine(archive, table.File), ct));
        }

        Assert.Contains("CREATE TABLE \"sales__orders\".\"orders\"", await File.ReadAllTextAsync(Path.Combine(archive, manifest.DdlFile), ct), StringComparison.Ordinal);
        Assert.All(await bed.Archive.RetireAsync(PostgresBed.ProductId, [31], archive, ct), s => Assert.Equal(StepOutcome.Unchanged, s.Outcome));

        var restored = await bed.Archive.RestoreAsync(archive, PostgresBed.ProductId, ct);

        Assert.Equal([("verify", StepOutcome.Unchanged), ("restore", StepOutcome.Changed)], restored.Select(s => (s.Step, s.Outcome)));
        Assert.Equal(rows, await bed.RowsAsync(Rows, ct));
        Assert.Equal(lines, await bed.RowsAsync("SELECT * FROM sales__orders.order_lines ORDER BY line", ct));
        Assert.Equal(columns, await bed.RowsAsync(Columns, ct));
        Assert.Equal(["PRIMARY KEY (order_id, line)", "PRIMARY KEY (order_id)"],
            await bed.RowsAsync("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'sales__orders'::regnamespace AND contype = 'p' ORDER BY conrelid::regclass::text", ct));

        // Provisioning again hands the restored tables to a new owner and recreates the roles.
        var reprovisioned = await bed.ProvisionAsync(contract, ct);
        Assert.False(reprovisioned.Failed, string.Join("\n", reprovisioned.Steps));
        Assert.Equal([bed.Owner, bed.Owner], await bed.RowsAsync("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relnamespace = 'sales__orders'::regnamespace AND relkind = 'r'", ct));
        Assert.Equal(rows, await bed.RowsAsync(Rows, ct));
    }

    [Fact]
    public async Task Restore_OfAnAlteredArchive_IsRefused_AndCreatesNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bed = await PostgresBed.CreateAsync(server, nameof(PostgresArchiveTests));
        await bed.ProvisionAsync(PostgresBed.Contract(Contracts.Orders), ct);
        await bed.ExecuteAsync("INSERT INTO sales__orders.order_lines (order_id, line, sku, quantity) VALUES (1, 1, 'X', 2)", ct);
        var archive = Path.Combine(_root, "altered");
        Assert.DoesNotContain(await bed.Archive.RetireAsync(PostgresBed.ProductId, [], archive, ct), s => s.Outcome == StepOutcome.Failed);
        var manifest = await ArchiveManifest.ReadAsync(archive, ct);
        var file = Path.Combine(archive, manifest.Tables.Single(t => t.Name == "order_lines").File);
        await File.AppendAllTextAsync(file, "1,2,Z,9,\n", ct);

        var restored = await bed.Archive.RestoreAsync(archive, PostgresBed.ProductId, ct);

        var verify = Assert.Single(restored);
        Assert.Equal(("verify", StepOutcome.Failed), (verify.Step, verify.Outcome));
        Assert.Contains("does not match its SHA-256", verify.Detail, StringComparison.Ordinal);
        Assert.Empty(await bed.RowsAsync("SELECT 1 FROM pg_namespace WHERE nspname = 'sales__orders'", ct));
    }

    [Fact]
    public async Task Retire_IntoADirectoryThatIsNotAnArchive_StopsBeforeDroppingAnything()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bed = await PostgresBed.CreateAsync(server, nameof(PostgresArchiveTests));
        await bed.ProvisionAsync(PostgresBed.Contract(Contracts.Orders), ct);
        var occupied = Directory.CreateDirectory(Path.Combine(_root, "occupied")).FullName;

        var retired = await bed.Archive.RetireAsync(PostgresBed.ProductId, [], occupied, ct);

        Assert.Equal(("archive", StepOutcome.Failed), (retired[^1].Step, retired[^1].Outcome));
        Assert.Single(await bed.RowsAsync("SELECT 1 FROM pg_namespace WHERE nspname = 'sales__orders'", ct));
        // Frozen: the owner may no longer log in, nor write.
        Assert.Equal(["False|False"], await bed.RowsAsync($"SELECT rolcanlogin, has_table_privilege(rolname, 'sales__orders.orders', 'INSERT') FROM pg_roles WHERE rolname = '{bed.Owner}'", ct));
    }
}
