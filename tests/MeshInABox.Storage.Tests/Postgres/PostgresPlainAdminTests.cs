using MeshInABox.Storage.Postgres;
using MeshInABox.Storage.Provisioning;
using MeshInABox.Testing;

namespace MeshInABox.Storage.Tests.Postgres;

/// <summary>
/// Everything the storage plane does, with an admin login that is no superuser (CREATEROLE and CREATE on the
/// database), as production gives it; and runs at the same time, which wait for each other.
/// </summary>
public sealed class PostgresPlainAdminTests(PostgresServerFixture server)
{
    [Fact]
    public async Task ProvisionGrantReadMetadataRetireRestore_AsACreateRoleLogin()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var superuser = await PostgresBed.CreateAsync(server, nameof(PostgresPlainAdminTests));
        await using var bed = await superuser.WithPlainAdminAsync(ct);
        await using (var session = await bed.Admin.OpenConnectionAsync(ct))
        {
            Assert.Equal(["False"], await PostgresBed.RowsAsync(session, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user", ct));
        }

        var contract = PostgresBed.Contract(Contracts.Orders);

        var report = await bed.ProvisionAsync(contract, ct);

        Assert.False(report.Failed, string.Join("\n", report.Steps));
        Assert.Equal(0, (await bed.ProvisionAsync(contract, ct)).Changes);
        await using (var owner = await bed.LoginAsync(bed.Owner, bed.Credentials.Get(bed.Owner)!, ct))
        {
            await PostgresBed.ExecuteAsync(owner,
                "INSERT INTO sales__orders.orders (order_id, customer_email, amount, placed_at) VALUES (1, 'a@example.com', 5, now())", ct);
        }

        var grant = await bed.Access().GrantAsync(41, PostgresBed.ProductId, "carol", AccessLevel.Restricted, ct);
        Assert.DoesNotContain(grant, s => s.Outcome == StepOutcome.Failed);
        await using (var consumer = await bed.SessionAsync(bed.Roles.Consumer("carol"), ct))
        {
            Assert.Equal(["1|a@example.com"], await PostgresBed.RowsAsync(consumer, "SELECT order_id, customer_email FROM sales__orders.orders", ct));
        }

        Assert.Equal(6, (await bed.Metadata.ReadAsync(PostgresBed.ProductId, ct)).Single(t => t.Name == "orders").Columns.Count);
        Assert.Equal(StepOutcome.Changed, (await bed.Storage.RotateAsync(PostgresBed.ProductId, ct)).Outcome);

        var archive = Path.Combine(TemporaryDirectory.Create("mesh-pg-plain-"), "archive");
        var retired = await bed.Archive.RetireAsync(PostgresBed.ProductId, [41], archive, ct);
        Assert.DoesNotContain(retired, s => s.Outcome == StepOutcome.Failed);
        Assert.Empty(await bed.RowsAsync("SELECT 1 FROM pg_namespace WHERE nspname = 'sales__orders'", ct));

        var restored = await bed.Archive.RestoreAsync(archive, PostgresBed.ProductId, ct);
        Assert.DoesNotContain(restored, s => s.Outcome == StepOutcome.Failed);
        Assert.False((await bed.ProvisionAsync(contract, ct)).Failed);
        Assert.Equal(["1|a@example.com"], await bed.RowsAsync("SELECT order_id, customer_email FROM sales__orders.orders", ct));
        Directory.Delete(Path.GetDirectoryName(archive)!, recursive: true);
    }

    [Fact]
    public async Task ConcurrentReconcilesAndGrants_AllSucceed_AndEndAsOneRun()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bed = await PostgresBed.CreateAsync(server, nameof(PostgresPlainAdminTests));
        var contract = PostgresBed.Contract(Contracts.Orders);

        var reports = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => bed.ProvisionAsync(contract, ct)));

        Assert.All(reports, r => Assert.False(r.Failed, string.Join("\n", r.Steps)));
        var access = bed.Access();
        var grants = await Task.WhenAll(Enumerable.Range(50, 4).Select(id => access.GrantAsync(id, PostgresBed.ProductId, "dave", AccessLevel.Open, ct)));
        Assert.All(grants.SelectMany(g => g), s => Assert.NotEqual(StepOutcome.Failed, s.Outcome));
        Assert.Equal(0, (await bed.ProvisionAsync(contract, ct)).Changes);
    }
}
