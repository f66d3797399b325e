using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MeshInABox.Domain.Access;
using MeshInABox.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using MeshInABox.ServiceDefaults;

namespace MeshInABox.Registry.Tests;

/// <summary>The registry on a real PostgreSQL database, with a local signing key and a clock the test moves.</summary>
public sealed class RegistryHost : IAsyncDisposable
{
    private readonly WebApplicationFactory<RegistryOptions> _factory;
    private readonly string _keyDirectory;

    private RegistryHost(WebApplicationFactory<RegistryOptions> factory, string keyDirectory, FakeTimeProvider time)
    {
        _factory = factory;
        _keyDirectory = keyDirectory;
        Time = time;
    }

    public FakeTimeProvider Time { get; }

    public string SigningKeyFile => Path.Combine(_keyDirectory, "signing.key");

    /// <param name="ownDatabase">
    /// A database for this host alone: for tests that must be sure no other host's publishing worker
    /// (the test class's own, running on the class's database) takes their versions.
    /// </param>
    /// <param name="services">Replacements in the registry's services (test doubles), applied after its own.</param>
    public static async Task<RegistryHost> StartAsync(
        PostgresServerFixture server, Type testClass, IDictionary<string, string>? settings = null, bool ownDatabase = false, Action<IServiceCollection>? services = null)
    {
        var connectionString = ownDatabase ? await server.NewDatabaseAsync(testClass.Name) : await server.DatabaseForAsync(testClass);
        var keyDirectory = TemporaryDirectory.Create("mesh-keys-");
        LocalSigningKey.EnsureExists(Path.Combine(keyDirectory, "signing.key"));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var factory = new WebApplicationFactory<RegistryOptions>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("ConnectionStrings:meshdb", connectionString);
            builder.UseSetting("Registry:Auth:SigningKeyFile", Path.Combine(keyDirectory, "signing.key"));
            builder.UseSetting("Registry:WorkerPollInterval", "00:00:00.100");
            builder.UseSetting("Locations:RepositoryRoots:0", Samples.RepositoryRoot);
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureServices(collection =>
            {
                collection.Replace(ServiceDescriptor.Singleton<TimeProvider>(time));
                services?.Invoke(collection);
            });
        });
        var host = new RegistryHost(factory, keyDirectory, time);
        await host.WaitUntilHealthyAsync();
        return host;
    }

    public T Service<T>()
        where T : notnull => _factory.Services.GetRequiredService<T>();

    public HttpClient Anonymous() => _factory.CreateClient();

    /// <summary>A client that keeps cookies like a browser, optionally without following redirects.</summary>
    public HttpClient Browser(bool followRedirects = true) =>
        _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = followRedirects, HandleCookies = true });

    /// <summary>A client with a dpr.read + dpr.write token for <paramref name="domains"/>.</summary>
    public HttpClient Writer(params string[] domains) => WithToken(Token(domains, MeshAccess.ReadScope, MeshAccess.WriteScope));

    public HttpClient WithToken(string token)
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public string Token(IEnumerable<string> domains, params string[] scopes) => TokenFor("test-user", domains, scopes);

    /// <summary>A token with its own subject (a token's sub is who asks, decides or reads).</summary>
    public string TokenFor(string subject, IEnumerable<string> domains, params string[] scopes) =>
        LocalTokens.Issue(SigningKeyFile, subject, domains, scopes, TimeSpan.FromHours(1));

    /// <summary>A client acting as <paramref name="subject"/>: with the write scope for <paramref name="domains"/>, or a reader when none.</summary>
    public HttpClient As(string subject, params string[] domains) =>
        WithToken(domains.Length == 0 ? TokenFor(subject, [], MeshAccess.ReadScope) : TokenFor(subject, domains, MeshAccess.ReadScope, MeshAccess.WriteScope));

    /// <summary>Polls a version until the worker has decided it.</summary>
    public async Task<JsonElement> WaitForDecisionAsync(HttpClient client, string productId, string version, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            var body = await client.GetFromJsonAsync<JsonElement>($"/data-products/{productId}/versions/{version}", limit.Token);
            if (body.GetProperty("status").GetString() is "active" or "rejected")
            {
                return body;
            }

            await Task.Delay(50, limit.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        Directory.Delete(_keyDirectory, recursive: true);
    }

    private async Task WaitUntilHealthyAsync()
    {
        using var client = _factory.CreateClient();
        for (var i = 0; i < 300; i++)
        {
            using var response = await client.GetAsync("/health");
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("The registry did not become healthy.");
    }
}
