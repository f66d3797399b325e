using System.Text;
using Dapper;
using MeshInABox.Storage.Postgres;
using Microsoft.AspNetCore.DataProtection;
using Npgsql;

namespace MeshInABox.Registry.Storage;

/// <summary>
/// Owner roles' passwords, encrypted with ASP.NET Core Data Protection (its keys kept in
/// <see cref="StorageOptions.KeysDirectory"/>, readable by the mesh's user only) before they reach the database: no
/// API returns them. The producing team reads its password from an owner-only pgpass file in
/// <see cref="StorageOptions.CredentialsDirectory"/>, rewritten at each rotation.
/// </summary>
public sealed class ProtectedOwnerCredentials(NpgsqlDataSource dataSource, IDataProtectionProvider protection, StorageOptions options, PostgresEndpoint endpoint, TimeProvider time)
    : IOwnerCredentials
{
    private readonly IDataProtector _protector = protection.CreateProtector("MeshInABox.Registry.OwnerCredentials.v1");

    public async Task<bool> HasAsync(string role, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM owner_credentials WHERE role = @role)", new { role }, cancellationToken: ct));
    }

    public async Task SaveAsync(string role, string password, CancellationToken ct)
    {
        var sealedPassword = _protector.Protect(password);
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO owner_credentials (role, protected, rotated_at) VALUES (@role, @sealedPassword, @now)
                ON CONFLICT (role) DO UPDATE SET protected = excluded.protected, rotated_at = excluded.rotated_at
                """,
                new { role, sealedPassword, now = time.GetUtcNow() }, cancellationToken: ct));
        }

        await WritePassFileAsync(role, password, ct);
    }

    /// <summary>When the role's password was last set, or null when it has none stored.</summary>
    public async Task<DateTimeOffset?> RotatedAtAsync(string role, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var at = await connection.ExecuteScalarAsync<DateTime?>(new CommandDefinition(
            "SELECT rotated_at FROM owner_credentials WHERE role = @role", new { role }, cancellationToken: ct));
        return at is { } value ? Infrastructure.Time.Utc(value) : null;
    }

    /// <summary>Where the team finds its credentials (a pgpass file), or null when none are written here.</summary>
    public string? PassFileOf(string role) =>
        string.IsNullOrWhiteSpace(options.CredentialsDirectory) ? null : Path.Combine(options.CredentialsDirectory, role + ".pgpass");

    /// <summary>Written owner-only from its first byte, under a temporary name, then renamed: never readable by others, never half-written.</summary>
    private async Task WritePassFileAsync(string role, string password, CancellationToken ct)
    {
        if (PassFileOf(role) is not { } file)
        {
            return;
        }

        Directory.CreateDirectory(options.CredentialsDirectory!);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(options.CredentialsDirectory!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace(":", "\\:", StringComparison.Ordinal);
        var line = $"{Escape(endpoint.Host)}:{endpoint.Port}:{Escape(endpoint.Database)}:{Escape(role)}:{Escape(password)}\n";
        var temporary = file + ".tmp";
        var fileOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var stream = new FileStream(temporary, fileOptions))
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(line), ct);
        }

        File.Move(temporary, file, overwrite: true);
    }
}
