using System.Security.Cryptography;
using MeshInABox.Domain.Contracts;
using MeshInABox.Domain.Naming;
using MeshInABox.Storage.Postgres;
using MeshInABox.Storage.Provisioning;
using MeshInABox.Testing;
using Npgsql;

namespace MeshInABox.Storage.Tests.Postgres;

/// <summary>
/// One test's PostgreSQL: a database of its own on the run's server and a role prefix of its own (roles are
/// server-wide), with the template, grants, metadata and archive wired to the server's superuser as admin.
/// </summary>
internal sealed class PostgresBed : IAsyncDisposable
{
    public const string ProductId = "sales.orders";

    private PostgresBed(string connectionString)
        : this(connectionString, NpgsqlDataSource.Create(connectionString), null)
    {
    }

    private PostgresBed(string connectionString, NpgsqlDataSource admin, PostgresRoles? roles)
    {
        ConnectionString = connectionString;
        Admin = admin;
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        Endpoint = new PostgresEndpoint(builder.Host!, builder.Port, builder.Database!);
        Roles = roles ?? new PostgresRoles("t" + RandomNumberGenerator.GetHexString(8, lowercase: true));
        Storage = NewStorage();
    }

    public string ConnectionString { get; }

    public NpgsqlDataSource Admin { get; }

    public PostgresEndpoint Endpoint { get; }

    public PostgresRoles Roles { get; }

    public InMemoryOwnerCredentials Credentials { get; } = new();

    public PostgresStorage Storage { get; }

    public string Schema => MeshNames.ProductSchema(ProductId);

    public string Owner => Roles.Owner(ProductId);

    public static async Task<PostgresBed> CreateAsync(PostgresServerFixture server, string label) =>
        new(await server.NewDatabaseAsync(label));

    /// <summary>
    /// The same database and prefix with a login that is no superuser as the template's admin: CREATEROLE, and
    /// CREATE on the database (for schemas), as a production mesh gives it.
    /// </summary>
    public async Task<PostgresBed> WithPlainAdminAsync(CancellationToken ct)
    {
        var login = Roles.Prefix + "_admin";
        var password = RandomNumberGenerator.GetHexString(24, lowercase: true);
        var database = new NpgsqlConnectionStringBuilder(ConnectionString).Database;
        await ExecuteAsync($"CREATE ROLE \"{login}\" LOGIN CREATEROLE PASSWORD '{password}'; GRANT CREATE ON DATABASE \"{database}\" TO \"{login}\"", ct);
        var admin = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(ConnectionString) { Username = login, Password = password }.ConnectionString);
        return new PostgresBed(ConnectionString, admin, Roles);
    }

    public PostgresStorage NewStorage(Func<string, bool>? stopAfter = null) =>
        new(Admin, Roles, Endpoint, Credentials) { StopAfter = stopAfter };

    public PostgresAccess Access(string? readerLogin = null) => new(Admin, Roles, readerLogin);

    public PostgresMetadata Metadata => new(Admin, Roles);

    public PostgresArchive Archive => new(Admin, Roles);

    public static DataContract Contract(string yaml) => ContractReader.Read(yaml, "contract.yaml").Contract;

    public static StorageTarget Target(DataContract contract, string output = "orders", IReadOnlyDictionary<string, string>? parameters = null) =>
        new(ProductId, "team-sales", output, new StorageSpec("postgres", parameters ?? new Dictionary<string, string>()), contract);

    public Task<ProvisioningReport> ProvisionAsync(DataContract contract, CancellationToken ct) => Storage.ReconcileAsync(Target(contract), ct);

    /// <summary>A new session (no pooling) as the admin, acting as <paramref name="role"/> when given.</summary>
    public async Task<NpgsqlConnection> SessionAsync(string? role, CancellationToken ct)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(ct);
        if (role is not null)
        {
            await ExecuteAsync(connection, $"SET ROLE \"{role}\"", ct);
        }

        return connection;
    }

    /// <summary>A real login with a user name and password (SCRAM-SHA-256 on the test cluster).</summary>
    public async Task<NpgsqlConnection> LoginAsync(string user, string password, CancellationToken ct)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString)
        {
            Username = user,
            Password = password,
            Pooling = false,
        }.ConnectionString);
        await connection.OpenAsync(ct);
        return connection;
    }

    public async Task ExecuteAsync(string sql, CancellationToken ct)
    {
        await using var connection = await SessionAsync(null, ct);
        await ExecuteAsync(connection, sql, ct);
    }

    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Every row of a query, each as its columns' text joined by '|' (NULL as ∅).</summary>
    public static async Task<List<string>> RowsAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<string>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "∅" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }

        return rows;
    }

    public async Task<List<string>> RowsAsync(string sql, CancellationToken ct)
    {
        await using var connection = await SessionAsync(null, ct);
        return await RowsAsync(connection, sql, ct);
    }

    public static async Task<PostgresException> DeniedAsync(NpgsqlConnection connection, string sql, CancellationToken ct) =>
        await Assert.ThrowsAsync<PostgresException>(() => RowsAsync(connection, sql, ct));

    /// <summary>Roles are server-wide: this test's go, with whatever they hold in its database.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var connection = await SessionAsync(null, CancellationToken.None);
            var roles = await RowsAsync(connection, $"SELECT rolname FROM pg_roles WHERE rolname LIKE '{Roles.Prefix}\\_%'", CancellationToken.None);
            foreach (var role in roles)
            {
                await ExecuteAsync(connection, $"DROP OWNED BY \"{role}\" CASCADE", CancellationToken.None);
            }

            foreach (var role in roles)
            {
                await ExecuteAsync(connection, $"DROP ROLE IF EXISTS \"{role}\"", CancellationToken.None);
            }
        }
        finally
        {
            await Admin.DisposeAsync();
        }
    }
}
