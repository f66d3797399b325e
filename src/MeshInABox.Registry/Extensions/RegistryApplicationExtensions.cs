using MeshInABox.Registry.Apis;
using MeshInABox.Registry.Infrastructure.Migrations;
using MeshInABox.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace MeshInABox.Registry.Extensions;

/// <summary>
/// The registry's composition, shared by its own Program and by the embedded
/// host, which runs the same service in-process.
/// </summary>
public static class RegistryApplicationExtensions
{
    public const string DatabaseName = "meshdb";

    /// <summary>Tables live in their own schema so services can share one database.</summary>
    public const string SchemaName = "registry";

    public static IHostApplicationBuilder AddRegistry(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.Services.AddProblemDetails();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.AddRegistryDatabase();
        return builder;
    }

    public static WebApplication MapRegistry(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapDefaultEndpoints();
        app.MapServiceInfoApi();
        return app;
    }

    private static void AddRegistryDatabase(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString(DatabaseName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{DatabaseName} is not set. Set the environment variable " +
                $"ConnectionStrings__{DatabaseName} to a PostgreSQL connection string, or start the mesh with 'mesh up'.");
        }

        builder.Services.AddNpgsqlDataSource(connectionString, dataSource =>
            dataSource.ConnectionStringBuilder.SearchPath = SchemaName);

        builder.Services.AddSingleton<IMigrationSource>(
            new EmbeddedMigrationSource(typeof(RegistryApplicationExtensions).Assembly));
        builder.Services.AddSingleton(new SchemaMigratorOptions(SchemaName));
        builder.Services.AddSingleton<SchemaMigrator>();
        builder.Services.AddSingleton<MigrationState>();
        builder.Services.AddHostedService<MigrationRunner>();

        builder.Services.AddHealthChecks()
            .AddNpgSql(name: "postgres", timeout: TimeSpan.FromSeconds(5))
            .AddCheck<MigrationHealthCheck>("migrations");

        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddNpgsql())
            .WithMetrics(metrics => metrics.AddNpgsqlInstrumentation());
    }
}
