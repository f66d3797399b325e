using Npgsql;

namespace MeshInABox.Storage.Postgres;

/// <summary>
/// The owner role's password: generated, saved through <see cref="IOwnerCredentials"/> first, then set on the
/// role as a SCRAM verifier. Saved first, so a crash in between leaves a stored password the role lacks
/// (repaired by rotating again), never a role whose password nobody has.
/// </summary>
internal sealed class OwnerPasswords(IOwnerCredentials credentials)
{
    /// <summary>Creates the owner role with a new password, saved before the role exists.</summary>
    public async Task CreateRoleAsync(NpgsqlConnection connection, string role, CancellationToken ct)
    {
        var password = ScramVerifier.NewPassword();
        await credentials.SaveAsync(role, password, ct);
        await RoleAttributes.EnsureAsync(connection, role, login: true, ct, createPassword: ScramVerifier.For(password));
    }

    public Task<bool> HasAsync(string role, CancellationToken ct) => credentials.HasAsync(role, ct);

    /// <summary>A new password for an existing role: saved, then set.</summary>
    public async Task RotateAsync(NpgsqlConnection connection, string role, CancellationToken ct)
    {
        var password = ScramVerifier.NewPassword();
        await credentials.SaveAsync(role, password, ct);
        await Sql.ExecuteAsync(connection, $"ALTER ROLE {Sql.Ident(role)} PASSWORD {Sql.Literal(ScramVerifier.For(password))}", ct);
    }
}
