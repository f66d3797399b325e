using System.Text;
using Npgsql;

namespace MeshInABox.Storage.Postgres;

/// <summary>
/// Quoting and the few statement helpers every step uses. DDL cannot take parameters, so names and comments
/// from contracts are always written through <see cref="Ident"/> and <see cref="Literal"/>, never spliced raw.
/// </summary>
internal static class Sql
{
    /// <summary>PostgreSQL's limit on a name, in bytes: longer ones are truncated silently, so they are refused.</summary>
    public const int MaxIdentifierBytes = 63;

    public static string Ident(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('\0'))
        {
            throw new ArgumentException("A PostgreSQL name cannot hold a NUL character.", nameof(name));
        }

        return "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    public static string Qualified(string schema, string table) => Ident(schema) + "." + Ident(table);

    /// <summary>A string literal for standard_conforming_strings=on (which Npgsql requires): only quotes are doubled.</summary>
    public static string Literal(string? value)
    {
        if (value is null)
        {
            return "NULL";
        }

        if (value.Contains('\0'))
        {
            throw new ArgumentException("A PostgreSQL string cannot hold a NUL character.", nameof(value));
        }

        return "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    /// <summary>Why a name cannot be used as is, or null when it can.</summary>
    public static string? NameProblem(string name) =>
        name.Length == 0 ? "an empty name"
        : name.Contains('\0') ? $"'{name}' holds a NUL character"
        : Encoding.UTF8.GetByteCount(name) > MaxIdentifierBytes ? $"'{name}' is longer than PostgreSQL's {MaxIdentifierBytes} bytes"
        : null;

    /// <summary>
    /// Serializes the storage plane's steps for one role prefix until the transaction ends: two reconciles (or a
    /// reconcile and a grant) creating the same role or schema at once would otherwise fail on each other.
    /// </summary>
    public static Task LockAsync(NpgsqlConnection connection, string prefix, CancellationToken ct) =>
        ExecuteAsync(connection, "SELECT pg_advisory_xact_lock(hashtext('mesh-storage:' || $1))", ct, prefix);

    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct, params object?[] args)
    {
        await using var command = Command(connection, sql, args);
        await command.ExecuteNonQueryAsync(ct);
    }

    public static async Task<T?> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken ct, params object?[] args)
    {
        await using var command = Command(connection, sql, args);
        var value = await command.ExecuteScalarAsync(ct);
        return value is null or DBNull ? default : (T)value;
    }

    public static async Task<List<T>> ListAsync<T>(NpgsqlConnection connection, string sql, Func<NpgsqlDataReader, T> map, CancellationToken ct, params object?[] args)
    {
        await using var command = Command(connection, sql, args);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<T>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    public static string? NullableString(this NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, object?[] args)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var arg in args)
        {
            // Catalog oids are uint, which Npgsql writes only when told the type.
            command.Parameters.Add(arg is uint
                ? new NpgsqlParameter { Value = arg, DataTypeName = "oid" }
                : new NpgsqlParameter { Value = arg ?? DBNull.Value });
        }

        return command;
    }
}
