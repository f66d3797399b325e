using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MeshInABox.Registry.Extensions;
using MeshInABox.Postgres;
using MeshInABox.Postgres.Migrations;
using MeshInABox.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace MeshInABox.Registry.Tests;

public sealed class RegistryHealthTests(PostgresServerFixture server)
{
    [Fact]
    public async Task Health_AfterMigrations_ReportsPostgresAndSchemaHealthy()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var factory = Registry(await server.NewDatabaseAsync(nameof(RegistryHealthTests)));
        using var client = factory.CreateClient();

        var report = await WaitForHealthAsync(client, r => r.GetProperty("checks").GetProperty("migrations").GetProperty("status").GetString() == "Healthy", ct);

        Assert.Equal("Healthy", report.GetProperty("status").GetString());
        Assert.Equal("Healthy", report.GetProperty("checks").GetProperty(ServiceDatabaseExtensions.DatabaseHealthCheck).GetProperty("status").GetString());
        Assert.StartsWith("Schema at version", report.GetProperty("checks").GetProperty("migrations").GetProperty("description").GetString());
        var info = await client.GetFromJsonAsync<JsonElement>("/", ct);
        var latest = new EmbeddedMigrationSource(typeof(RegistryApplicationExtensions).Assembly).Load()[^1].Version;
        Assert.Equal(latest, info.GetProperty("schemaVersion").GetInt32());
    }

    [Fact]
    public async Task Health_BrokenMigration_Is503WithReason_AndAliveStays200()
    {
        var ct = TestContext.Current.CancellationToken;
        var broken = new Migration(1, "broken", "CREATE TABLE ok (id int);\nSELEC 1;");
        await using var factory = Registry(await server.NewDatabaseAsync(nameof(RegistryHealthTests)), new FixedSource(broken));
        using var client = factory.CreateClient();

        var report = await WaitForHealthAsync(client, r => r.GetProperty("checks").GetProperty("migrations").TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object, ct);

        var migrations = report.GetProperty("checks").GetProperty("migrations");
        Assert.Equal("Unhealthy", migrations.GetProperty("status").GetString());
        Assert.Contains("0001_broken failed at line 2", migrations.GetProperty("description").GetString());
        Assert.Contains("syntax error", migrations.GetProperty("description").GetString());
        Assert.True(migrations.GetProperty("data").GetProperty("requiresAction").GetBoolean());
        using var health = await client.GetAsync("/health", ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        using var alive = await client.GetAsync("/alive", ct);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    [Fact]
    public async Task Health_DatabaseUnreachable_Is503_WhileAliveIs200()
    {
        var ct = TestContext.Current.CancellationToken;
        var port = Hosting.Ports.FindFree();
        await using var factory = Registry($"Host=127.0.0.1;Port={port};Username=nobody;Password=x;Database=meshdb;Timeout=2");
        using var client = factory.CreateClient();

        using var health = await client.GetAsync("/health", ct);
        var report = await health.Content.ReadFromJsonAsync<JsonElement>(ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal("Unhealthy", report.GetProperty("checks").GetProperty(ServiceDatabaseExtensions.DatabaseHealthCheck).GetProperty("status").GetString());
        using var alive = await client.GetAsync("/alive", ct);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    [Fact]
    public void Health_DatabaseCheck_HasADeadline_SoAServerThatNeverAnswersCannotHangHealth()
    {
        var port = Hosting.Ports.FindFree();
        using var factory = Registry($"Host=127.0.0.1;Port={port};Username=nobody;Password=x;Database=meshdb");

        var checks = factory.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations;

        Assert.Equal(TimeSpan.FromSeconds(5), Assert.Single(checks, c => c.Name == ServiceDatabaseExtensions.DatabaseHealthCheck).Timeout);
    }

    private static WebApplicationFactory<RegistryOptions> Registry(string connectionString, IMigrationSource? source = null) =>
        new WebApplicationFactory<RegistryOptions>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("ConnectionStrings:meshdb", connectionString);
            if (source is not null)
            {
                builder.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton(source)));
            }
        });

    private static async Task<JsonElement> WaitForHealthAsync(HttpClient client, Func<JsonElement, bool> done, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            using var response = await client.GetAsync("/health", timeout.Token);
            var report = await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
            if (done(report))
            {
                return report;
            }

            await Task.Delay(50, timeout.Token);
        }
    }

    private sealed class FixedSource(params Migration[] migrations) : IMigrationSource
    {
        public IReadOnlyList<Migration> Load() => migrations;
    }
}
