using System.Net.Http.Headers;
using System.Net.Http.Json;
using MeshInABox.Domain.Access;
using MeshInABox.Domain.Profiles;
using MeshInABox.Hosting;
using MeshInABox.Hosting.State;
using MeshInABox.Registry.Auth;
using MeshInABox.Testing;

namespace MeshInABox.QueryService.Tests;

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

    /// <summary>The registry, as an administrator allowed to write every domain.</summary>
    public HttpClient Registry { get; }

    /// <summary>The query service, anonymous.</summary>
    public HttpClient Lakehouse { get; }

    public static async Task<RunningMesh> StartAsync(PostgresServerFixture postgres, string label)
    {
        var database = await postgres.NewDatabaseAsync(label);
        var mesh = await EmbeddedMesh.StartAsync(
            new EmbeddedMeshOptions(null, Ephemeral: true, MeshProfile.Iteration2, BasePort: 0, database), new SilentProgress(), CancellationToken.None);
        return new RunningMesh(mesh, database);
    }

    /// <summary>A token for <paramref name="subject"/>, writing <paramref name="domains"/>.</summary>
    public string Token(string subject, string[] domains) =>
        LocalTokens.Issue(MeshState.SigningKeyPath(_mesh.DataDirectory), subject, domains, [MeshAccess.ReadScope, MeshAccess.WriteScope], TimeSpan.FromHours(1));

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
    public async Task RegisterAsync(string id, string output, string kind, object location, string classification = "open")
    {
        var domain = id[..id.IndexOf('.')];
        using var created = await Registry.PostAsJsonAsync(new Uri("/data-products", UriKind.Relative), new
        {
            id, name = id, domain, owner = "team-" + domain, description = $"{id} for query tests.", classification,
            outputs = new[] { new { name = output, kind } },
        });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        using var located = await Registry.PutAsJsonAsync(new Uri($"/data-products/{id}/endpoints/{output}", UriKind.Relative), new { kind, location });
        Assert.True(located.IsSuccessStatusCode, await located.Content.ReadAsStringAsync());
    }

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
