using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace MeshInABox.ServiceDefaults;

/// <summary>
/// Telemetry, health, service discovery and resilience, wired the same way in
/// every service under both hosts (embedded and Aspire).
/// </summary>
public static class ServiceDefaultsExtensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";

    /// <summary>Checks tagged so run in <c>/alive</c>; all checks run in <c>/health</c>.</summary>
    public const string LiveTag = "live";

    /// <summary>Meters and activity sources that services add; registered here once.</summary>
    public const string MeshTelemetryPrefix = "MeshInABox.";

    /// <summary>The category the health check service logs each check's result under.</summary>
    public const string HealthCheckLogCategory = "Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        // Npgsql logs every command at Information, with its SQL; the services poll their queues, so at the
        // usual Information level that would bury everything else. Logging:LogLevel:Npgsql still decides when set.
        if (builder.Configuration["Logging:LogLevel:Npgsql"] is null)
        {
            builder.Logging.AddFilter("Npgsql", LogLevel.Warning);
        }

        // The health check service logs each probe's result: Degraded (starting, Kafka away) at Warning on every poll,
        // which /health reports already; Unhealthy stays an error. Logging:LogLevel for the category still decides when set.
        if (builder.Configuration[$"Logging:LogLevel:{HealthCheckLogCategory}"] is null)
        {
            builder.Logging.AddFilter(HealthCheckLogCategory, LogLevel.Error);
        }

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var exporting = builder.ExportsTelemetry();
        var telemetry = builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(MeshTelemetryPrefix + "*"));

        // Traces only when a collector takes them (the Aspire dashboard sets the endpoint):
        // recording spans that go nowhere costs a third of a small request's time.
        if (exporting)
        {
            telemetry
                .WithTracing(tracing => tracing
                    .AddSource(builder.Environment.ApplicationName)
                    .AddSource(MeshTelemetryPrefix + "*")
                    .AddAspNetCoreInstrumentation(options =>
                        // Health probes are frequent and uninteresting as traces.
                        options.Filter = context =>
                            !context.Request.Path.StartsWithSegments(HealthEndpointPath)
                            && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath))
                    .AddHttpClientInstrumentation())
                .UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>Whether a collector is configured (the Aspire dashboard sets OTEL_EXPORTER_OTLP_ENDPOINT).</summary>
    public static bool ExportsTelemetry(this IHostApplicationBuilder builder) =>
        !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>
    /// Maps <c>/health</c> (every check, dependencies included) and <c>/alive</c>
    /// (liveness only) in every environment: both hosts probe them.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions
        {
            ResponseWriter = HealthReportWriter.WriteAsync,
        });
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(LiveTag),
            ResponseWriter = HealthReportWriter.WriteAsync,
        });
        return app;
    }
}
