using MeshInABox.Domain.Naming;
using MeshInABox.Lakehouse.Engine.Query;
using MeshInABox.Storage.Provisioning;
using Npgsql;

namespace MeshInABox.Storage.Postgres;

/// <summary>
/// Open products are readable by every consumer: an open product's open role is granted to the query service's
/// shared reader role (<see cref="PostgresTableSource.ReaderRole"/>), and taken back when the product is restricted.
/// Restricted products are read only through the access role of a granted request.
/// </summary>
public sealed class PostgresReaders(NpgsqlDataSource admin, PostgresRoles roles)
{
    public const string StepName = "grant:readers";

    public async Task<StepResult> SyncAsync(string productId, bool open, CancellationToken ct)
    {
        var reader = PostgresTableSource.ReaderRole;
        var openRole = roles.Open(productId);
        await using var connection = await admin.OpenConnectionAsync(ct);
        // As the query service's migration creates it: roles are server-wide, another mesh may create it at the same moment.
        await Sql.ExecuteAsync(connection, $"""
            DO $$
            BEGIN
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{reader}') THEN
                    CREATE ROLE {reader} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT NOREPLICATION NOBYPASSRLS;
                END IF;
            EXCEPTION
                WHEN duplicate_object OR unique_violation THEN NULL;
            END
            $$
            """, ct);
        await using var check = new NpgsqlCommand(
            """
            SELECT EXISTS (
                SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
                WHERE r.rolname = $1 AND u.rolname = $2)
            """, connection);
        check.Parameters.Add(new NpgsqlParameter { Value = openRole });
        check.Parameters.Add(new NpgsqlParameter { Value = reader });
        var member = await check.ExecuteScalarAsync(ct) is true;
        if (open == member)
        {
            return new StepResult(StepName, StepOutcome.Unchanged, open ? $"{openRole} is read by every reader" : $"{openRole} is not read by every reader");
        }

        await Sql.ExecuteAsync(connection, open
            ? $"GRANT {Sql.Ident(openRole)} TO {Sql.Ident(reader)}"
            : $"REVOKE {Sql.Ident(openRole)} FROM {Sql.Ident(reader)}", ct);
        return new StepResult(StepName, StepOutcome.Changed, open ? $"{openRole} granted to {reader}: every consumer reads the open columns" : $"{openRole} taken from {reader}");
    }
}
