using MeshInABox.Domain.Naming;
using MeshInABox.Storage.Provisioning;
using Npgsql;

namespace MeshInABox.Storage.Postgres;

/// <summary>What an approved access request opens: every column, or the columns no classification restricts.</summary>
public enum AccessLevel
{
    Restricted,
    Open,
}

/// <summary>
/// Access grants as roles: one access role per approved request, holding the product's restricted or open
/// role and granted to the consumer's own role. Revoking drops the access role, so the grant ends at the
/// consumer's next session. Every step is reported and idempotent: a grant or revoke run again changes nothing.
/// </summary>
public sealed class PostgresAccess
{
    private readonly NpgsqlDataSource _admin;
    private readonly PostgresRoles _roles;
    private readonly string? _readerLogin;

    /// <param name="admin">Connections as a login that may create and grant roles.</param>
    /// <param name="readerLogin">
    /// The login that reads as consumers (the query service's): made a member of every consumer role, so it may SET ROLE
    /// to it, unless it is a superuser. Membership never passes the consumer's rights on without SET ROLE: granted
    /// WITH INHERIT FALSE on PostgreSQL 16 and later; before 16 the login must be NOINHERIT (else the step fails).
    /// </param>
    public PostgresAccess(NpgsqlDataSource admin, PostgresRoles roles, string? readerLogin = null)
    {
        _admin = admin;
        _roles = roles;
        _readerLogin = readerLogin;
    }

    /// <summary>The consumer's own role (NOLOGIN), which the query service reads as.</summary>
    public async Task<StepResult> EnsureConsumerRoleAsync(string subject, CancellationToken ct)
    {
        return await StepRunner.RunAsync(_admin, _roles.Prefix, new Step("role:consumer", c => ConsumerRoleAsync(c, subject, ct)), ct);
    }

    /// <summary>Grants one approved request: the consumer's role, the request's access role, the product's role in it, it in the consumer's.</summary>
    /// <returns>Each step's result; a failed step is the last.</returns>
    public async Task<IReadOnlyList<StepResult>> GrantAsync(long requestId, string productId, string subject, AccessLevel level, CancellationToken ct)
    {
        var access = _roles.Access(requestId);
        var consumer = _roles.Consumer(subject);
        var granted = level == AccessLevel.Restricted ? _roles.Restricted(productId) : _roles.Open(productId);
        var other = level == AccessLevel.Restricted ? _roles.Open(productId) : _roles.Restricted(productId);
        Step[] steps =
        [
            new("role:consumer", c => ConsumerRoleAsync(c, subject, ct)),
            new("role:access", async c => StepRunner.Result("role:access", [await RoleAttributes.EnsureAsync(c, access, login: false, ct)])),
            new("grant:level", async c =>
            {
                if (!await RoleAttributes.ExistsAsync(c, granted, ct))
                {
                    return new StepResult("grant:level", StepOutcome.Failed, $"role {granted} does not exist: product {productId} is not provisioned on PostgreSQL");
                }

                // A request whose level changed holds the new level's role only.
                var revoked = await RevokeMembershipAsync(c, other, access, ct);
                var added = await GrantMembershipAsync(c, granted, access, ct);
                return StepRunner.Result("grant:level", [added ? $"{granted} granted to {access}" : null, revoked ? $"{other} revoked from {access}" : null]);
            }),
            new("grant:consumer", async c =>
                StepRunner.Result("grant:consumer", [await GrantMembershipAsync(c, access, consumer, ct) ? $"{access} granted to {consumer}" : null])),
        ];
        return await StepRunner.RunAsync(_admin, _roles.Prefix, steps, ct);
    }

    /// <summary>Ends one grant: the access role is revoked from the consumer and dropped. The consumer's next session no longer has it.</summary>
    public async Task<IReadOnlyList<StepResult>> RevokeAsync(long requestId, string subject, CancellationToken ct)
    {
        var access = _roles.Access(requestId);
        var consumer = _roles.Consumer(subject);
        Step[] steps =
        [
            new("revoke:consumer", async c =>
                StepRunner.Result("revoke:consumer",
                    [await RoleAttributes.ExistsAsync(c, access, ct) && await RevokeMembershipAsync(c, access, consumer, ct) ? $"{access} revoked from {consumer}" : null])),
            new("drop:access", async c => StepRunner.Result("drop:access", [await RoleAttributes.DropAsync(c, access, ct) ? $"{access} dropped" : null])),
        ];
        return await StepRunner.RunAsync(_admin, _roles.Prefix, steps, ct);
    }

    private async Task<StepResult> ConsumerRoleAsync(NpgsqlConnection connection, string subject, CancellationToken ct)
    {
        var consumer = _roles.Consumer(subject);
        var created = await RoleAttributes.EnsureAsync(connection, consumer, login: false, ct);
        var member = false;
        if (_readerLogin is not null)
        {
            var reader = await Sql.ListAsync(connection, "SELECT rolsuper, rolinherit FROM pg_roles WHERE rolname = $1",
                r => (Super: r.GetBoolean(0), Inherit: r.GetBoolean(1)), ct, _readerLogin);
            if (reader.Count == 0)
            {
                return new StepResult("role:consumer", StepOutcome.Failed, $"the reader login {_readerLogin} does not exist");
            }

            if (!reader[0].Super)
            {
                // The reader must hold a consumer's rights only after SET ROLE, never all consumers' at once: PostgreSQL 16
                // grants membership without inheritance; before 16 only a NOINHERIT login keeps them apart.
                var perGrant = connection.PostgreSqlVersion.Major >= 16;
                if (!perGrant && reader[0].Inherit)
                {
                    return new StepResult("role:consumer", StepOutcome.Failed,
                        $"the reader login {_readerLogin} has INHERIT: as a member of every consumer role it would read all their grants without SET ROLE; " +
                        $"make it NOINHERIT (ALTER ROLE {Sql.Ident(_readerLogin)} NOINHERIT) or use PostgreSQL 16 or later");
                }

                member = await GrantMembershipAsync(connection, consumer, _readerLogin, ct, perGrant ? " WITH INHERIT FALSE, SET TRUE" : "");
            }
        }

        return StepRunner.Result("role:consumer", [created, member ? $"{consumer} granted to {_readerLogin}" : null]);
    }

    /// <summary>Grants role to member unless it already is a direct member; true when granted now.</summary>
    private static async Task<bool> GrantMembershipAsync(NpgsqlConnection connection, string role, string member, CancellationToken ct, string options = "")
    {
        if (await IsDirectMemberAsync(connection, role, member, ct))
        {
            return false;
        }

        await Sql.ExecuteAsync(connection, $"GRANT {Sql.Ident(role)} TO {Sql.Ident(member)}{options}", ct);
        return true;
    }

    private static async Task<bool> RevokeMembershipAsync(NpgsqlConnection connection, string role, string member, CancellationToken ct)
    {
        if (!await IsDirectMemberAsync(connection, role, member, ct))
        {
            return false;
        }

        await Sql.ExecuteAsync(connection, $"REVOKE {Sql.Ident(role)} FROM {Sql.Ident(member)}", ct);
        return true;
    }

    internal static async Task<bool> IsDirectMemberAsync(NpgsqlConnection connection, string role, string member, CancellationToken ct) =>
        await Sql.ScalarAsync<bool>(connection,
            """
            SELECT EXISTS (SELECT 1 FROM pg_auth_members m
                           WHERE m.roleid = (SELECT oid FROM pg_roles WHERE rolname = $1)
                             AND m.member = (SELECT oid FROM pg_roles WHERE rolname = $2))
            """, ct, role, member);
}
