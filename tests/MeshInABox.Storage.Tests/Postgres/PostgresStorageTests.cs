using MeshInABox.Storage.Provisioning;
using MeshInABox.Testing;
using Npgsql;

namespace MeshInABox.Storage.Tests.Postgres;

/// <summary>The postgres template on a real server: what one run creates, and that runs converge.</summary>
public sealed class PostgresStorageTests(PostgresServerFixture server)
{
    [Fact]
    public async Task Reconcile_CreatesSchemaTablesAndRoles_ReportsStepsAndLocation_SecondRunChangesNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bed = await PostgresBed.CreateAsync(server, nameof(PostgresStorageTests));
        var contract = PostgresBed.Contract(Contracts.Orders);

        var first = await bed.ProvisionAsync(contract, ct);

        Assert.False(first.Failed, string.Join("\n", first.Steps));
        Assert.Equal(
            ["role:metadata", "role:owner", "schema", "table:orders", "table:order_lines", "role:restricted", "role:open", "grant:metadata"],
            first.Steps.Select(s => s.Step));
        Assert.All(first.Steps, s => Assert.Equal(StepOutcome.Changed, s.Outcome));
        Assert.Equal("postgres", first.Kind);
        var location = first.Location!;
        Assert.Equal(bed.Endpoint.Host, location["host"]);
        Assert.Equal(bed.Endpoint.Port, location["port"]);
        Assert.Equal(bed.Endpoint.Database, location["database"]);
        Assert.Equal("sales__orders", location["schema"]);
        Assert.Equal("orders", location["table"]);
        Assert.Equal(5, location.Count);

        var columns = await bed.RowsAsync(
            """
            SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, col_description(a.attrelid, a.attnum)
            FROM pg_attribute a WHERE a.attrelid = 'sales__orders.orders'::regclass AND a.attnum > 0 ORDER BY a.attnum
            """, ct);
        Assert.Equal(
            [
                "order_id|bigint|True|Order identifier.",
                "customer_email|text|True|Who ordered.",
                "margin|numeric(10,2)|False|What the order earns.",
                "amount|numeric(12,2)|True|Order total.",
                "status|character varying(12)|False|Order status.",
                "placed_at|timestamp with time zone|True|∅",
            ], columns);
        Assert.Equal(
            ["sales__orders.orders|" + bed.Owner + "|One row per order.|PRIMARY KEY (order_id)", "sales__orders.order_lines|" + bed.Owner + "|The order's lines.|PRIMARY KEY (order_id, line)"],
            await bed.RowsAsync(
                """
                SELECT c.oid::regclass::text, pg_get_userbyid(c.relowner), obj_description(c.oid, 'pg_class'), pg_get_constraintdef(k.oid)
                FROM pg_class c JOIN pg_constraint k ON k.conrelid = c.oid AND k.contype = 'p'
                WHERE c.relnamespace = 'sales__orders'::regnamespace ORDER BY c.relname DESC
                """, ct));
        Assert.Equal(
            [$"{bed.Roles.Metadata}|False|False|False|False", $"{bed.Roles.Open(PostgresBed.ProductId)}|False|False|False|False", $"{bed.Owner}|False|True|False|False", $"{bed.Roles.Restricted(PostgresBed.ProductId)}|False|False|False|False"],
            await bed.RowsAsync($"SELECT rolname, rolsuper, rolcanlogin, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname LIKE '{bed.Roles.Prefix}\\_%' ORDER BY rolname", ct));
        // PUBLIC has no right on the schema.
        Assert.Equal(["False"], await bed.RowsAsync("SELECT has_schema_privilege('public', 'sales__orders', 'USAGE')", ct));

        var second = await bed.ProvisionAsync(contract, ct);

        Assert.Equal(0, second.Changes);
        Assert.All(second.Steps, s => Assert.Equal(StepOutcome.Unchanged, s.Outcome));
        Assert.Equal(first.Location, second.Location);
    }

    [Fact]
    public async Task Reconcile_StoppedAfterEachStep_ThenRerun_EndsLikeAnUninterruptedRun()
    {
        var ct = TestContext.Current.CancellationToken;
        var contract = PostgresBed.Contract(Contracts.Orders);
        List<string> expected;
        int stepCount;
        await using (var reference = await PostgresBed.CreateAsync(server, "reference"))
        {
            var report = await reference.ProvisionAsync(contract, ct);
            Assert.False(report.Failed, string.Join("\n", report.Steps));
            stepCount = report.Steps.Count;
            expected = await CatalogSnapshot.TakeAsync(reference, ct);
            Assert.Equal(0, (await reference.ProvisionAsync(contract, ct)).Changes);
            Assert.Equal(expected, await CatalogSnapshot.TakeAsync(reference, ct));
        }

        Assert.Contains(expected, l => l.StartsWith("column|orders|", StringComparison.Ordinal));
        for (var k = 1; k < stepCount; k++)
        {
            await using var bed = await PostgresBed.CreateAsync(server, "crash" + k);
            var done = 0;
            var stop = k;
            var interrupted = await bed.NewStorage(stopAfter: _ => ++done == stop).ReconcileAsync(PostgresBed.Target(contract), ct);
            Assert.Equal(k, interrupted.Steps.Count);
            Assert.Null(interrupted.Location);

            var rerun = await bed.ProvisionAsync(contract, ct);

            Assert.False(rerun.Failed, $"stopped after step {k}: " + string.Join("\n", rerun.Steps));
            Assert.Equal(expected, await CatalogSnapshot.TakeAsync(bed, ct));
            Assert.Equal(0, (await bed.ProvisionAsync(contract, ct)).Changes);
        }
    }

    [Fact]
    public async Task Reconcile_AddsMissingColumnsAndFixesComments_KeepsExtraColumnsAndRows_AsNotes()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bed = await PostgresBed.CreateAsync(server, nameof(PostgresStorageTests));
        var contract = PostgresBed.Contract(Contracts.Orders);
        await bed.ProvisionAsync(contract, ct);
        await bed.ExecuteAsync(
            """
            INSERT INTO sales__orders.orders (order_id, customer_email, amount, placed_at) VALUES (1, 'a@example.com', 10, now());
            ALTER TABLE sales__orders.orders DROP COLUMN status, ADD COLUMN legacy text, ALTER COLUMN amount DROP NOT NULL;
            COMMENT ON COLUMN sales__orders.orders.customer_email IS 'changed by hand';
            """, ct);

        var report = await bed.ProvisionAsync(contract, ct);

        var orders = Assert.Single(report.Steps, s => s.Step == "table:orders");
        Assert.Equal(StepOutcome.Changed, orders.Outcome);
        Assert.Contains("column status added", orders.Detail, StringComparison.Ordinal);
        Assert.Contains("column amount set NOT NULL", orders.Detail, StringComparison.Ordinal);
        Assert.Contains("comment on column customer_email set", orders.Detail, StringComparison.Ordinal);
        Assert.Contains("columns not in the contract kept: legacy", orders.Detail, StringComparison.Ordinal);
        Assert.Equal(["1|∅|∅"], await bed.RowsAsync("SELECT order_id, status, legacy FROM sales__orders.orders", ct));
        Assert.Equal(["Who ordered."], await bed.RowsAsync("SELECT col_description('sales__orders.orders'::regclass, 2)", ct));
        // The added column is readable by the open role, which got it in the same run.
        Assert.Contains("status", Assert.Single(report.Steps, s => s.Step == "role:open").Detail, StringComparison.Ordinal);

        var again = await bed.ProvisionAsync(contract, ct);

        var unchanged = Assert.Single(again.Steps, s => s.Step == "table:orders");
        Assert.Equal(StepOutcome.Unchanged, unchanged.Outcome);
        Assert.Contains("columns not in the contract kept: legacy", unchanged.Detail, StringComparison.Ordinal);
        Assert.Equal(0, again.Changes);
    }

    [Fact]
    public async Task OwnerLogin_WritesItsTables_HasNoPowerBeyondThem()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bed = await PostgresBed.CreateAsync(server, nameof(PostgresStorageTests));
        await bed.ProvisionAsync(PostgresBed.Contract(Contracts.Orders), ct);

        await using var owner = await bed.LoginAsync(bed.Owner, bed.Credentials.Get(bed.Owner)!, ct);
        await PostgresBed.ExecuteAsync(owner, "INSERT INTO sales__orders.order_lines (order_id, line, sku, quantity) VALUES (1, 1, 'X', 2)", ct);

        Assert.Equal(["1|1|X|2|∅"], await PostgresBed.RowsAsync(owner, "SELECT * FROM sales__orders.order_lines", ct));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await PostgresBed.DeniedAsync(owner, "CREATE ROLE nobody_at_all", ct)).SqlState);
    }

    [Fact]
    public async Task Reconcile_OwnerRoleWithoutStoredPassword_GetsANewOne()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bed = await PostgresBed.CreateAsync(server, nameof(PostgresStorageTests));
        var contract = PostgresBed.Contract(Contracts.Orders);
        await bed.ProvisionAsync(contract, ct);
        var lost = bed.Credentials.Get(bed.Owner)!;
        bed.Credentials.Forget(bed.Owner);

        var report = await bed.ProvisionAsync(contract, ct);

        Assert.Equal(StepOutcome.Changed, Assert.Single(report.Steps, s => s.Step == "role:owner").Outcome);
        var stored = bed.Credentials.Get(bed.Owner)!;
        Assert.NotEqual(lost, stored);
        await using var login = await bed.LoginAsync(bed.Owner, stored, ct);
        Assert.Equal(PostgresErrorCodes.InvalidPassword,
            (await Assert.ThrowsAsync<PostgresException>(() => bed.LoginAsync(bed.Owner, lost, ct))).SqlState);
    }

    [Fact]
    public async Task Check_RefusesUnknownParameters_ForeignSchemas_AndTablesNotInTheContract()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bed = await PostgresBed.CreateAsync(server, nameof(PostgresStorageTests));
        var contract = PostgresBed.Contract(Contracts.Orders);
        IStorageTemplate template = bed.Storage;

        Assert.Empty(template.Check(PostgresBed.Target(contract, parameters: new Dictionary<string, string> { ["schema"] = "sales__orders", ["tables"] = "orders, order_lines" })));
        Assert.Equal(
            ["partitions: unknown parameter; the postgres template takes schema and tables"],
            template.Check(new StorageSpec("postgres", new Dictionary<string, string> { ["partitions"] = "4" })));
        Assert.Equal(
            ["schema: 'finance__ledger' is not this product's schema; one schema per product, named by the platform: 'sales__orders' (or leave the parameter out)"],
            template.Check(PostgresBed.Target(contract, parameters: new Dictionary<string, string> { ["schema"] = "finance__ledger" })));
        Assert.Equal(
            ["tables: 'invoices' is not an object of the contract (it has objects orders, order_lines)"],
            template.Check(PostgresBed.Target(contract, parameters: new Dictionary<string, string> { ["tables"] = "orders,invoices" })));
        Assert.Equal(
            ["tables: leaves out 'orders', the contract object of output 'orders'"],
            template.Check(PostgresBed.Target(contract, parameters: new Dictionary<string, string> { ["tables"] = "order_lines" })));
        Assert.Equal(
            ["tables: an empty entry in 'orders,,order_lines'; list contract object names separated by commas"],
            template.Check(new StorageSpec("postgres", new Dictionary<string, string> { ["tables"] = "orders,,order_lines" })));

        var refused = await bed.Storage.ReconcileAsync(PostgresBed.Target(contract, parameters: new Dictionary<string, string> { ["schema"] = "public" }), ct);

        var step = Assert.Single(refused.Steps);
        Assert.Equal(("parameters", StepOutcome.Failed), (step.Step, step.Outcome));
        Assert.Contains("one schema per product, named by the platform", step.Detail, StringComparison.Ordinal);
        Assert.Null(refused.Location);
        Assert.Empty(await bed.RowsAsync($"SELECT 1 FROM pg_roles WHERE rolname LIKE '{bed.Roles.Prefix}\\_%'", ct));
    }

    [Fact]
    public async Task Reconcile_TablesParameter_CreatesOnlyTheListedObjects()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bed = await PostgresBed.CreateAsync(server, nameof(PostgresStorageTests));
        var target = PostgresBed.Target(PostgresBed.Contract(Contracts.Orders), output: "order_lines", parameters: new Dictionary<string, string> { ["tables"] = "order_lines" });

        var report = await bed.Storage.ReconcileAsync(target, ct);

        Assert.False(report.Failed, string.Join("\n", report.Steps));
        Assert.DoesNotContain(report.Steps, s => s.Step == "table:orders");
        Assert.Equal("order_lines", report.Location!["table"]);
        Assert.Equal(["order_lines"], await bed.RowsAsync("SELECT relname FROM pg_class WHERE relnamespace = 'sales__orders'::regnamespace AND relkind = 'r'", ct));
    }

    [Fact]
    public async Task Reconcile_HostileNamesAndDescriptions_AreQuoted_AndNothingElseIsTouched()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bed = await PostgresBed.CreateAsync(server, nameof(PostgresStorageTests));
        await bed.ExecuteAsync("CREATE TABLE public.y (v int); INSERT INTO public.y VALUES (42)", ct);
        var contract = PostgresBed.Contract(Contracts.Hostile);
        var target = PostgresBed.Target(contract, output: "hostile");

        var report = await bed.Storage.ReconcileAsync(target, ct);

        Assert.False(report.Failed, string.Join("\n", report.Steps));
        Assert.Equal(["42"], await bed.RowsAsync("SELECT v FROM public.y", ct));
        Assert.Equal("orders\"; DROP TABLE public.y; --", report.Location!["table"]);
        Assert.Equal(
            ["orders\"; DROP TABLE public.y; --|it's a \"quoted\" table'); DROP TABLE public.y; --"],
            await bed.RowsAsync("SELECT relname, obj_description(oid, 'pg_class') FROM pg_class WHERE relnamespace = 'sales__orders'::regnamespace AND relkind = 'r'", ct));
        Assert.Equal(
            ["x\"; DROP TABLE public.y; --|text|True|O'Brien said \"hi\"; DROP TABLE public.y; --", "id|bigint|True|∅"],
            await bed.RowsAsync(
                """
                SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, col_description(a.attrelid, a.attnum)
                FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                WHERE c.relnamespace = 'sales__orders'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 ORDER BY a.attnum
                """, ct));
        // The physicalType with SQL in it is not a type: the logical type decided, and the step says so.
        Assert.Contains("physicalType 'integer; DROP TABLE public.y' of id is not a PostgreSQL type", report.Steps.Single(s => s.Step.StartsWith("table:", StringComparison.Ordinal)).Detail, StringComparison.Ordinal);
        Assert.Equal(["sales__orders"], await bed.RowsAsync("SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname NOT IN ('public', 'information_schema')", ct));
        Assert.Equal(0, (await bed.Storage.ReconcileAsync(target, ct)).Changes);
    }
}
