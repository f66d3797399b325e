using System.Net.Http.Headers;
using System.Net.Http.Json;
using MeshInABox.Domain.Access;
using MeshInABox.Domain.Naming;
using MeshInABox.Domain.Profiles;
using MeshInABox.Hosting;
using MeshInABox.Hosting.State;
using MeshInABox.Lakehouse.Engine.Query;
using MeshInABox.Testing;
using Npgsql;
using MeshInABox.ServiceDefaults;

namespace MeshInABox.Lakehouse.Tests;

/// <summary>
/// The iteration-2 mesh as <c>mesh up</c> runs it (registry + lakehouse in this
/// process, on loopback) over a database of its own on the test server.
/// </summary>
public sealed class RunningMesh : IAsyncDisposable
{
    private readonly EmbeddedMesh _mesh;

    private RunningMesh(EmbeddedMesh mesh, string connectionString)
    {
        _mesh = mesh;
        ConnectionString = connectionString;
        Registry = Client("registry", Token("platform-admin", [MeshAccess.AnyDomain]));
        Lakehouse = Client("lakehouse", token: null);
    }

    /// <summary>The mesh database (the server PostgreSQL products live on too).</summary>
    public string ConnectionString { get; }

    public string LakeRoot => Path.Combine(_mesh.DataDirectory, "lake");

    public string DataDirectory => _mesh.DataDirectory;

    /// <summary>The names of the PostgreSQL roles this mesh creates (its own prefix: roles are server-wide).</summary>
    public PostgresRoles Roles => _mesh.Roles;

    /// <summary>The registry, as an administrator allowed to write every domain.</summary>
    public HttpClient Registry { get; }

    /// <summary>The lakehouse service, anonymous.</summary>
    public HttpClient Lakehouse { get; }

    public static async Task<RunningMesh> StartAsync(PostgresServerFixture postgres, string label)
    {
        var database = await postgres.NewDatabaseAsync(label);
        var mesh = await EmbeddedMesh.StartAsync(
            new EmbeddedMeshOptions(null, Ephemeral: true, MeshProfile.Iteration2, BasePort: 0, database, RepositoryRoots: [RepositoryLayout.SampleMesh]), new SilentProgress(), CancellationToken.None);
        return new RunningMesh(mesh, database);
    }

    /// <summary>A token for <paramref name="subject"/>, writing <paramref name="domains"/> (read and write scopes unless given).</summary>
    public string Token(string subject, string[] domains, string[]? scopes = null) =>
        LocalTokens.Issue(MeshState.SigningKeyPath(_mesh.DataDirectory), subject, domains, scopes ?? [MeshAccess.ReadScope, MeshAccess.WriteScope], TimeSpan.FromHours(1));

    public HttpClient Client(string service, string? token)
    {
        var client = new HttpClient { BaseAddress = _mesh.State!.Services[service], Timeout = TimeSpan.FromMinutes(2) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>Registers a product with one output and says where that output's data is, as the storage plane would.</summary>
    /// <param name="unchecked">Writes the location straight into the registry's table, as one recorded before the registry checked locations.</param>
    public async Task RegisterAsync(string id, string output, string kind, object location, string classification = "open", bool @unchecked = false)
    {
        var domain = id[..id.IndexOf('.')];
        using var created = await Registry.PostAsJsonAsync(new Uri("/data-products", UriKind.Relative), new
        {
            id, name = id, domain, owner = "team-" + domain, description = $"{id} for query tests.", classification,
            outputs = new[] { new { name = output, kind } },
        });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        if (@unchecked)
        {
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand(
                """
                INSERT INTO registry.product_endpoints (product_id, output, kind, location, updated_at)
                VALUES ($1, $2, $3, $4::jsonb, now())
                ON CONFLICT (product_id, output) DO UPDATE SET kind = excluded.kind, location = excluded.location
                """, connection);
            foreach (var value in new object[] { id, output, kind, System.Text.Json.JsonSerializer.Serialize(location) })
            {
                insert.Parameters.Add(new NpgsqlParameter { Value = value });
            }

            await insert.ExecuteNonQueryAsync();
            return;
        }

        using var located = await Registry.PutAsJsonAsync(new Uri($"/data-products/{id}/endpoints/{output}", UriKind.Relative), new { kind, location });
        Assert.True(located.IsSuccessStatusCode, await located.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Creates a PostgreSQL product's table in its own schema and grants it to the lakehouse service's reader role, as a
    /// producing team would until the storage plane provisions it.
    /// </summary>
    public async Task CreateProductTableAsync(string productId, string table, string createAndFill, bool grant = true)
    {
        var schema = MeshNames.ProductSchema(productId);
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"""
            CREATE SCHEMA IF NOT EXISTS {schema};
            SET search_path TO {schema};
            {createAndFill};
            GRANT USAGE ON SCHEMA {schema} TO {PostgresTableSource.ReaderRole};
            {(grant ? $"GRANT SELECT ON {schema}.{table} TO {PostgresTableSource.ReaderRole};" : "")}
            """, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Where a PostgreSQL product's table is, as its endpoint says.</summary>
    public object PostgresLocation(string productId, string table) =>
        new { database = new NpgsqlConnectionStringBuilder(ConnectionString).Database, schema = MeshNames.ProductSchema(productId), table };

    public async ValueTask DisposeAsync()
    {
        Registry.Dispose();
        Lakehouse.Dispose();
        await _mesh.DisposeAsync();
    }

    private sealed class SilentProgress : IStartupProgress
    {
        public async Task<T> StepAsync<T>(string title, Func<CancellationToken, Task<(T Result, string Outcome)>> step, CancellationToken ct) =>
            (await step(ct)).Result;
    }
}
