using Dapper;
using System.Reflection;
using MeshInABox.Postgres.Migrations;
using MeshInABox.ServiceDefaults;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace MeshInABox.Postgres;

/// <summary>
/// A service's own schema in the mesh database: the Npgsql data source from
/// <c>ConnectionStrings:{name}</c> through Aspire.Npgsql (with its health check,
/// logging and metrics), the schema's migrations applied at start, and their health check.
/// </summary>
public static class ServiceDatabaseExtensions
{
    /// <param name="connectionName">The connection string's name (Aspire's resource name).</param>
    /// <param name="schema">The service's schema; also the data source's search path.</param>
    /// <param name="migrations">The assembly whose <c>migrations/NNNN_name.sql</c> resources create the schema.</param>
    public static IHostApplicationBuilder AddServiceDatabase(
        this IHostApplicationBuilder builder, string connectionName, string schema, Assembly migrations)
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{connectionName} is not set. Set the environment variable " +
                $"ConnectionStrings__{connectionName} to a PostgreSQL connection string, or start the mesh with 'mesh up'.");
        }

        // Row records use PascalCase; columns use snake_case.
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        builder.AddNpgsqlDataSource(connectionName,
            settings =>
            {
                // Npgsql's spans join the service's traces, which are recorded only when exported (see ServiceDefaults).
                settings.DisableTracing = !builder.ExportsTelemetry();
            },
            dataSource =>
            {
                dataSource.ConnectionStringBuilder.SearchPath = schema;
                // The same few statements run on every request: let PostgreSQL plan them once per connection.
                dataSource.ConnectionStringBuilder.MaxAutoPrepare = 64;
            });

        // Aspire's check has no deadline of its own: a server that accepts but never answers must not hang /health.
        builder.Services.Configure<HealthCheckServiceOptions>(options =>
        {
            foreach (var check in options.Registrations.Where(r => r.Name == DatabaseHealthCheck))
            {
                check.Timeout = TimeSpan.FromSeconds(5);
            }
        });

        // PostgreSQL down or restarting is a 503 with Retry-After, in every service that keeps state there.
        builder.Services.AddExceptionHandler<DatabaseUnavailableExceptionHandler>();

        builder.Services.AddSingleton<IMigrationSource>(new EmbeddedMigrationSource(migrations));
        builder.Services.AddSingleton(new SchemaMigratorOptions(schema));
        builder.Services.AddSingleton<SchemaMigrator>();
        builder.Services.AddSingleton<MigrationState>();
        builder.Services.AddHostedService<MigrationRunner>();
        builder.Services.AddHealthChecks().AddCheck<MigrationHealthCheck>("migrations");

        return builder;
    }

    /// <summary>The name Aspire.Npgsql gives the database's health check in /health.</summary>
    public const string DatabaseHealthCheck = "PostgreSql";
}
