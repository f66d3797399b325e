using Npgsql;

namespace MeshInABox.Storage.Postgres;

/// <summary>Creates a role with the storage plane's attributes, or puts them back when they drifted.</summary>
internal static class RoleAttributes
{
    /// <summary>What was done (created, attributes set), or null when the role was already as declared.</summary>
    /// <param name="createPassword">A SCRAM verifier to create the role with (the owner's), set in the same statement.</param>
    public static async Task<string?> EnsureAsync(NpgsqlConnection connection, string role, bool login, CancellationToken ct, string? createPassword = null)
    {
        // Nothing the storage plane creates may create roles or databases, replicate or bypass row security.
        var attributes = (login ? "LOGIN" : "NOLOGIN") + " NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT";
        var current = await Sql.ListAsync(connection,
            """
            SELECT rolcanlogin = $2 AND NOT rolsuper AND NOT rolcreatedb AND NOT rolcreaterole AND NOT rolreplication AND NOT rolbypassrls AND rolinherit
            FROM pg_roles WHERE rolname = $1
            """,
            r => r.GetBoolean(0), ct, role, login);
        if (current.Count == 0)
        {
            var password = createPassword is null ? "" : " PASSWORD " + Sql.Literal(createPassword);
            await Sql.ExecuteAsync(connection, $"CREATE ROLE {Sql.Ident(role)} WITH {attributes}{password}", ct);
            return "created " + (login ? "LOGIN" : "NOLOGIN");
        }

        if (!current[0])
        {
            await Sql.ExecuteAsync(connection, $"ALTER ROLE {Sql.Ident(role)} WITH {attributes}", ct);
            return "attributes reset to " + attributes;
        }

        return null;
    }

    /// <summary>
    /// Makes the admin login a member of the role when it is not a superuser, so it may SET ROLE to it and make it
    /// own what it creates. True when the membership was granted now.
    /// </summary>
    public static async Task<bool> EnsureAdminMemberAsync(NpgsqlConnection connection, string role, CancellationToken ct)
    {
        if (await Sql.ScalarAsync<bool>(connection, "SELECT pg_has_role(current_user, $1, 'MEMBER')", ct, role))
        {
            return false;
        }

        await Sql.ExecuteAsync(connection, $"GRANT {Sql.Ident(role)} TO CURRENT_USER", ct);
        return true;
    }

    public static async Task<bool> ExistsAsync(NpgsqlConnection connection, string role, CancellationToken ct) =>
        await Catalog.RoleOidAsync(connection, role, ct) is not null;

    /// <summary>Drops the role if it exists (its memberships go with it); true when it existed.</summary>
    public static async Task<bool> DropAsync(NpgsqlConnection connection, string role, CancellationToken ct)
    {
        if (!await ExistsAsync(connection, role, ct))
        {
            return false;
        }

        await Sql.ExecuteAsync(connection, $"DROP ROLE {Sql.Ident(role)}", ct);
        return true;
    }
}
