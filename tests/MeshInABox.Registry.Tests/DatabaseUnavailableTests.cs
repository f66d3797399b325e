using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using MeshInABox.Testing;
using Microsoft.AspNetCore.Mvc.Testing;

namespace MeshInABox.Registry.Tests;

/// <summary>PostgreSQL unreachable: requests that need it are 503s clients may retry, never 500s.</summary>
public sealed class DatabaseUnavailableTests
{
    [Fact]
    public async Task DatabaseDown_ReadAndWrite_Are503ProblemsWithRetryAfter()
    {
        var ct = TestContext.Current.CancellationToken;
        var closedPort = MeshInABox.Postgres.LocalCluster.Ports.FindFree();
        var key = Path.Combine(TemporaryDirectory.Create("mesh-keys-"), "signing.key");
        ServiceDefaults.LocalSigningKey.EnsureExists(key);
        await using var factory = new WebApplicationFactory<RegistryOptions>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("ConnectionStrings:meshdb", $"Host=127.0.0.1;Port={closedPort};Username=nobody;Password=x;Database=meshdb;Timeout=2");
            builder.UseSetting("Registry:Auth:SigningKeyFile", key);
            builder.UseSetting("Registry:WorkerEnabled", "false");
            builder.UseSetting("Locations:RepositoryRoots:0", Samples.RepositoryRoot);
        });
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            ServiceDefaults.LocalTokens.Issue(key, "test-user", ["content"], [Domain.Access.MeshAccess.WriteScope], TimeSpan.FromHours(1)));

        using var read = await client.GetAsync("/data-products", ct);
        using var write = await client.PostAsJsonAsync("/data-products", Samples.Product(Samples.NewName()), ct);

        foreach (var response in new[] { read, write })
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        }

        Directory.Delete(Path.GetDirectoryName(key)!, recursive: true);
    }
}
