using MeshInABox.Storage.Postgres;
using MeshInABox.Storage.Provisioning;
using MeshInABox.Testing;
using Npgsql;

namespace MeshInABox.Storage.Tests.Postgres;

/// <summary>Grants as roles on a real server: PostgreSQL itself refuses what was not granted.</summary>
public sealed class PostgresAccessTests(PostgresServerFixture server)
{
    private const string Subject = "Alice@Example.com";

    private const string ReadOrders = "SELECT order_id, customer_email, margin FROM sales__orders.orders";

    [Fact]
    public async Task Consumer_WithoutGrant_IsDenied_AfterGrantReads_AfterRevokeNextSessionIsDenied()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bed = await ProvisionedAsync(ct);
        var access = bed.Access();
        var consumer = bed.Roles.Consumer(Subject);
        Assert.Equal(StepOutcome.Changed, (await access.EnsureConsumerRoleAsync(Subject, ct)).Outcome);

        await using (var before = await bed.SessionAsync(consumer, ct))
        {
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await PostgresBed.DeniedAsync(before, ReadOrders, ct)).SqlState);
        }

        var granted = await access.GrantAsync(7, PostgresBed.ProductId, Subject, AccessLevel.Restricted, ct);

        Assert.Equal(["role:consumer", "role:access", "grant:level", "grant:consumer"], granted.Select(s => s.Step));
        Assert.Equal([StepOutcome.Unchanged, StepOutcome.Changed, StepOutcome.Changed, StepOutcome.Changed], granted.Select(s => s.Outcome));
        await using (var during = await bed.SessionAsync(consumer, ct))
        {
            Assert.Equal(["1|a@example.com|3.50"], await PostgresBed.RowsAsync(during, ReadOrders, ct));
        }

        Assert.All(await access.GrantAsync(7, PostgresBed.ProductId, Subject, AccessLevel.Restricted, ct), s => Assert.Equal(StepOutcome.Unchanged, s.Outcome));

        var revoked = await access.RevokeAsync(7, Subject, ct);

        Assert.Equal([("revoke:consumer", StepOutcome.Changed), ("drop:access", StepOutcome.Changed)], revoked.Select(s => (s.Step, s.Outcome)));
        Assert.Empty(await bed.RowsAsync($"SELECT 1 FROM pg_roles WHERE rolname = '{bed.Roles.Access(7)}'", ct));
        await using (var after = await bed.SessionAsync(consumer, ct))
        {
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await PostgresBed.DeniedAsync(after, ReadOrders, ct)).SqlState);
        }

        Assert.All(await access.RevokeAsync(7, Subject, ct), s => Assert.Equal(StepOutcome.Unchanged, s.Outcome));
    }

    [Fact]
    public async Task OpenRole_ReadsOpenColumns_IsDeniedRestrictedOnes_AlsoThroughAnOpenGrant()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bed = await ProvisionedAsync(ct);

        await using (var open = await bed.SessionAsync(bed.Roles.Open(PostgresBed.ProductId), ct))
        {
            Assert.Equal(["1|12.00|new"], await PostgresBed.RowsAsync(open, "SELECT order_id, amount, status FROM sales__orders.orders", ct));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await PostgresBed.DeniedAsync(open, "SELECT margin FROM sales__orders.orders", ct)).SqlState);
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await PostgresBed.DeniedAsync(open, "SELECT customer_email FROM sales__orders.orders", ct)).SqlState);
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await PostgresBed.DeniedAsync(open, "SELECT * FROM sales__orders.orders", ct)).SqlState);
        }

        var access = bed.Access();
        Assert.DoesNotContain(await access.GrantAsync(8, PostgresBed.ProductId, Subject, AccessLevel.Open, ct), s => s.Outcome == StepOutcome.Failed);
        await using (var consumer = await bed.SessionAsync(bed.Roles.Consumer(Subject), ct))
        {
            Assert.Equal(["1|12.00"], await PostgresBed.RowsAsync(consumer, "SELECT order_id, amount FROM sales__orders.orders", ct));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await PostgresBed.DeniedAsync(consumer, "SELECT customer_email FROM sales__orders.orders", ct)).SqlState);
        }

        // The same request raised to restricted holds the restricted role only.
        var raised = await access.GrantAsync(8, PostgresBed.ProductId, Subject, AccessLevel.Restricted, ct);
        Assert.Contains("revoked", Assert.Single(raised, s => s.Step == "grant:level").Detail, StringComparison.Ordinal);
        await using (var consumer = await bed.SessionAsync(bed.Roles.Consumer(Subject), ct))
        {
            Assert.Equal(["1|a@example.com|3.50"], await PostgresBed.RowsAsync(consumer, ReadOrders, ct));
        }
    }

    [Fact]
    public async Task Classification_ChangedToPii_TheNextReconcileTakesTheColumnFromTheOpenRole()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bed = await ProvisionedAsync(ct);
        var reclassified = PostgresBed.Contract(Contracts.Orders.Replace(
            "description: Order status.", "description: Order status.\n        classification: PII", StringComparison.Ordinal));

        var report = await bed.ProvisionAsync(reclassified, ct);

        Assert.Contains("(status) revoked", Assert.Single(report.Steps, s => s.Step == "role:open").Detail, StringComparison.Ordinal);
        await using var open = await bed.SessionAsync(bed.Roles.Open(PostgresBed.ProductId), ct);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await PostgresBed.DeniedAsync(open, "SELECT status FROM sales__orders.orders", ct)).SqlState);
        Assert.Equal(["1|12.00"], await PostgresBed.RowsAsync(open, "SELECT order_id, amount FROM sales__orders.orders", ct));
        Assert.Equal(0, (await bed.ProvisionAsync(reclassified, ct)).Changes);
    }

    [Fact]
    public async Task ReaderLogin_IsMadeAMemberOfConsumerRoles_AndReadsAsTheConsumer()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bed = await ProvisionedAsync(ct);
        var reader = bed.Roles.Prefix + "_reader";
        await bed.ExecuteAsync($"CREATE ROLE \"{reader}\" LOGIN NOINHERIT PASSWORD 'reader-secret'", ct);
        var access = bed.Access(readerLogin: reader);

        var grant = await access.GrantAsync(9, PostgresBed.ProductId, Subject, AccessLevel.Restricted, ct);

        Assert.Contains("granted to " + reader, grant[0].Detail, StringComparison.Ordinal);
        await using var login = await bed.LoginAsync(reader, "reader-secret", ct);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await PostgresBed.DeniedAsync(login, ReadOrders, ct)).SqlState);
        await PostgresBed.ExecuteAsync(login, $"SET ROLE \"{bed.Roles.Consumer(Subject)}\"", ct);
        Assert.Equal(["1|a@example.com|3.50"], await PostgresBed.RowsAsync(login, ReadOrders, ct));
    }

    [Fact]
    public async Task ReaderLogin_ThatInherits_IsRefusedBefore16_OrMadeAMemberWithoutInheritance()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bed = await ProvisionedAsync(ct);
        var reader = bed.Roles.Prefix + "_inheriting";
        await bed.ExecuteAsync($"CREATE ROLE \"{reader}\" LOGIN INHERIT PASSWORD 'reader-secret'", ct);
        await using var session = await bed.SessionAsync(null, ct);

        var consumer = await bed.Access(readerLogin: reader).EnsureConsumerRoleAsync(Subject, ct);

        if (session.PostgreSqlVersion.Major < 16)
        {
            Assert.Equal(StepOutcome.Failed, consumer.Outcome);
            Assert.Contains("NOINHERIT", consumer.Detail, StringComparison.Ordinal);
            return;
        }

        Assert.Equal(StepOutcome.Changed, consumer.Outcome);
        await bed.Access(readerLogin: reader).GrantAsync(11, PostgresBed.ProductId, Subject, AccessLevel.Restricted, ct);
        await using var login = await bed.LoginAsync(reader, "reader-secret", ct);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await PostgresBed.DeniedAsync(login, ReadOrders, ct)).SqlState);
    }

    [Fact]
    public async Task Grant_OnAProductNotProvisioned_FailsAtTheLevelStep()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bed = await PostgresBed.CreateAsync(server, nameof(PostgresAccessTests));

        var steps = await bed.Access().GrantAsync(10, "sales.unknown", Subject, AccessLevel.Open, ct);

        var last = steps[^1];
        Assert.Equal(("grant:level", StepOutcome.Failed), (last.Step, last.Outcome));
        Assert.Contains("is not provisioned", last.Detail, StringComparison.Ordinal);
    }

    private async Task<PostgresBed> ProvisionedAsync(CancellationToken ct)
    {
        var bed = await PostgresBed.CreateAsync(server, nameof(PostgresAccessTests));
        var report = await bed.ProvisionAsync(PostgresBed.Contract(Contracts.Orders), ct);
        Assert.False(report.Failed, string.Join("\n", report.Steps));
        await bed.ExecuteAsync(
            "INSERT INTO sales__orders.orders (order_id, customer_email, margin, amount, status, placed_at) VALUES (1, 'a@example.com', 3.5, 12, 'new', now())", ct);
        return bed;
    }
}
