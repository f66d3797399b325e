using MeshInABox.Storage.Provisioning;
using MeshInABox.Testing;
using Npgsql;

namespace MeshInABox.Storage.Tests.Postgres;

/// <summary>Owner passwords: stored before they are set, set as SCRAM verifiers, rotated with real logins.</summary>
public sealed class PostgresCredentialsTests(PostgresServerFixture server)
{
    [Fact]
    public async Task Rotate_OldPasswordNoLongerLogsIn_NewOneDoes()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bed = await PostgresBed.CreateAsync(server, nameof(PostgresCredentialsTests));
        await bed.ProvisionAsync(PostgresBed.Contract(Contracts.Orders), ct);
        var old = bed.Credentials.Get(bed.Owner)!;
        await using (var first = await bed.LoginAsync(bed.Owner, old, ct))
        {
            Assert.Equal([bed.Owner], await PostgresBed.RowsAsync(first, "SELECT current_user", ct));
        }

        var rotated = await bed.Storage.RotateAsync(PostgresBed.ProductId, ct);

        Assert.Equal(("credential:owner", StepOutcome.Changed), (rotated.Step, rotated.Outcome));
        var current = bed.Credentials.Get(bed.Owner)!;
        Assert.NotEqual(old, current);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => bed.LoginAsync(bed.Owner, old, ct));
        Assert.Equal(PostgresErrorCodes.InvalidPassword, refused.SqlState);
        await using var second = await bed.LoginAsync(bed.Owner, current, ct);
        Assert.Equal([bed.Owner], await PostgresBed.RowsAsync(second, "SELECT current_user", ct));
    }

    [Fact]
    public async Task Password_IsStoredOnTheServerAsAScramVerifier()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bed = await PostgresBed.CreateAsync(server, nameof(PostgresCredentialsTests));
        await bed.ProvisionAsync(PostgresBed.Contract(Contracts.Orders), ct);

        var stored = Assert.Single(await bed.RowsAsync($"SELECT rolpassword FROM pg_authid WHERE rolname = '{bed.Owner}'", ct));

        Assert.StartsWith("SCRAM-SHA-256$4096:", stored, StringComparison.Ordinal);
        Assert.DoesNotContain(bed.Credentials.Get(bed.Owner)!, stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotate_ProductNotProvisioned_Fails()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bed = await PostgresBed.CreateAsync(server, nameof(PostgresCredentialsTests));

        var result = await bed.Storage.RotateAsync(PostgresBed.ProductId, ct);

        Assert.Equal(StepOutcome.Failed, result.Outcome);
        Assert.Null(bed.Credentials.Get(bed.Owner));
    }
}
