using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using MeshInABox.Registry.Extensions;
using MeshInABox.Postgres;
using MeshInABox.Postgres.Migrations;
using MeshInABox.ServiceDefaults;
using MeshInABox.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

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
    public async Task Health_WhileMigrationsRun_Is503Starting_AndLogsNoError_ThenHealthy()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await server.NewDatabaseAsync(nameof(RegistryHealthTests));
        const long hold = 0x4D45_5348_484F_4C44; // "MESHHOLD"
        await using var holder = new NpgsqlConnection(database);
        await holder.OpenAsync(ct);
        await holder.ExecuteAsync($"SELECT pg_advisory_lock({hold})");
        // The registry's own scripts, then one that waits for the test's lock: the migrations run until it is released.
        var migrations = new EmbeddedMigrationSource(typeof(RegistryApplicationExtensions).Assembly).Load();
        var held = new Migration(migrations[^1].Version + 1, "held", $"SELECT pg_advisory_xact_lock({hold});");
        var logs = new LogCapture();
        await using var factory = Registry(database, new FixedSource([.. migrations, held]), logs);
        using var client = factory.CreateClient();

        var startingReports = new List<(HttpStatusCode Status, JsonElement Report)>();
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            while (await holder.ExecuteScalarAsync<long>("SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE d.datname = current_database() AND l.locktype = 'advisory' AND NOT l.granted") == 0)
            {
                await Task.Delay(20, timeout.Token);
            }
        }

        for (var i = 0; i < 3; i++)
        {
            using var response = await client.GetAsync("/health", ct);
            startingReports.Add((response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(ct)));
        }

        var errorsWhileStarting = logs.AtLeast(LogLevel.Error);
        var healthWarningsWhileStarting = logs.AtLeast(LogLevel.Warning).Where(e => e.Category == ServiceDefaultsExtensions.HealthCheckLogCategory).ToList();
        await holder.ExecuteAsync($"SELECT pg_advisory_unlock({hold})");
        var healthy = await WaitForHealthAsync(client, r => r.GetProperty("status").GetString() == "Healthy", ct);

        Assert.All(startingReports, r =>
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, r.Status);
            Assert.Equal("Starting", r.Report.GetProperty("status").GetString());
            var check = r.Report.GetProperty("checks").GetProperty("migrations");
            Assert.Equal("Starting", check.GetProperty("status").GetString());
            Assert.StartsWith("Starting:", check.GetProperty("description").GetString());
            Assert.True(check.GetProperty("data").GetProperty("starting").GetBoolean());
            Assert.False(check.GetProperty("data").TryGetProperty("requiresAction", out _));
            Assert.Equal("Healthy", r.Report.GetProperty("checks").GetProperty(ServiceDatabaseExtensions.DatabaseHealthCheck).GetProperty("status").GetString());
        });
        Assert.Empty(errorsWhileStarting);
        Assert.Empty(healthWarningsWhileStarting);
        Assert.Equal($"Schema at version {held.Version}.", healthy.GetProperty("checks").GetProperty("migrations").GetProperty("description").GetString());
        using (var after = await client.GetAsync("/health", ct))
        {
            Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        }

        Assert.Empty(logs.AtLeast(LogLevel.Error));
    }

    [Fact]
    public async Task Health_BrokenMigration_Is503WithReason_AndAliveStays200()
    {
        var ct = TestContext.Current.CancellationToken;
        var broken = new Migration(1, "broken", "CREATE TABLE ok (id int);\nSELEC 1;");
        var logs = new LogCapture();
        await using var factory = Registry(await server.NewDatabaseAsync(nameof(RegistryHealthTests)), new FixedSource(broken), logs);
        using var client = factory.CreateClient();

        var report = await WaitForHealthAsync(client, r => r.GetProperty("checks").GetProperty("migrations").GetProperty("status").GetString() == "Unhealthy", ct);

        var migrations = report.GetProperty("checks").GetProperty("migrations");
        Assert.Equal("Unhealthy", migrations.GetProperty("status").GetString());
        Assert.Contains("0001_broken failed at line 2", migrations.GetProperty("description").GetString());
        Assert.Contains("syntax error", migrations.GetProperty("description").GetString());
        Assert.True(migrations.GetProperty("data").GetProperty("requiresAction").GetBoolean());
        using var health = await client.GetAsync("/health", ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        using var alive = await client.GetAsync("/alive", ct);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        // A real failure is an error, from the runner and from every health check that sees it.
        Assert.Contains(logs.AtLeast(LogLevel.Error), e => e.Category.EndsWith(nameof(MigrationRunner), StringComparison.Ordinal) && e.Message.Contains("0001_broken failed at line 2"));
        Assert.Contains(logs.AtLeast(LogLevel.Error), e => e.Category == ServiceDefaultsExtensions.HealthCheckLogCategory && e.Message.Contains("migrations"));
    }

    [Fact]
    public async Task Health_DatabaseUnreachable_Is503_WhileAliveIs200()
    {
        var ct = TestContext.Current.CancellationToken;
        var port = MeshInABox.Postgres.LocalCluster.Ports.FindFree();
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
        var port = MeshInABox.Postgres.LocalCluster.Ports.FindFree();
        using var factory = Registry($"Host=127.0.0.1;Port={port};Username=nobody;Password=x;Database=meshdb");

        var checks = factory.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations;

        Assert.Equal(TimeSpan.FromSeconds(5), Assert.Single(checks, c => c.Name == ServiceDatabaseExtensions.DatabaseHealthCheck).Timeout);
    }

    private static WebApplicationFactory<RegistryOptions> Registry(string connectionString, IMigrationSource? source = null, LogCapture? logs = null) =>
        new WebApplicationFactory<RegistryOptions>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("ConnectionStrings:meshdb", connectionString);
            if (source is not null)
            {
                builder.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton(source)));
            }

            if (logs is not null)
            {
                builder.ConfigureServices(services => services.AddSingleton<ILoggerProvider>(logs));
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
