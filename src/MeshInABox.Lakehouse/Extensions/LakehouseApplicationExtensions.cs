using MeshInABox.Domain.Profiles;
using MeshInABox.Lakehouse.Engine.Query;
using MeshInABox.Postgres;
using MeshInABox.Lakehouse.Apis;
using MeshInABox.Lakehouse.Execution;
using MeshInABox.Lakehouse.Infrastructure;
using MeshInABox.Lakehouse.OpenApi;
using MeshInABox.Lakehouse.Usage;
using MeshInABox.ServiceDefaults;
using MeshInABox.ServiceDefaults.Http;
using MeshInABox.ServiceDefaults.Locations;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;

namespace MeshInABox.Lakehouse.Extensions;

/// <summary>The lakehouse service's composition, shared by its Program and by the embedded host.</summary>
public static class LakehouseApplicationExtensions
{
    /// <summary>The registry as Aspire names it; service discovery resolves <c>services:registry:http:0</c>.</summary>
    public static readonly Uri RegistryAddress = new("http://registry");

    /// <summary>The mesh database: usage records live in <see cref="SchemaName"/>; PostgreSQL products on the same server.</summary>
    public const string DatabaseName = MeshTopology.Database;

    public const string SchemaName = "lakehouse";

    public static IHostApplicationBuilder AddLakehouse(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddMeshApiConventions<LakehouseOptions>(options => options.MaxRequestBytes);
        builder.AddServiceDatabase(DatabaseName, SchemaName, typeof(LakehouseApplicationExtensions).Assembly);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<UsageStore>();
        builder.Services.AddSingleton<UsageRecorder>();
        builder.Services.AddHostedService(services => services.GetRequiredService<UsageRecorder>());
        builder.Services.AddOptions<LakehouseOptions>()
            .BindConfiguration(LakehouseOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<LocationOptions>().BindConfiguration(LocationOptions.SectionName);
        builder.Services.AddSingleton<RegistryCache>();
        // RemoveAllResilienceHandlers is marked experimental; it is the documented way to replace the defaults for one client.
#pragma warning disable EXTEXP0001
        builder.Services.AddHttpClient<RegistryProductSources>(http => http.BaseAddress = RegistryAddress)
            // A down registry should be noticed in seconds: open products then fall back to its last answers.
            .RemoveAllResilienceHandlers()
            .AddStandardResilienceHandler(resilience =>
            {
                resilience.Retry.MaxRetryAttempts = 1;
                resilience.Retry.Delay = TimeSpan.FromMilliseconds(200);
                resilience.AttemptTimeout.Timeout = TimeSpan.FromSeconds(5);
                resilience.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(12);
            });
#pragma warning restore EXTEXP0001
        builder.Services.AddTransient<IProductSources>(services => services.GetRequiredService<RegistryProductSources>());
        builder.Services.AddCallerConcurrencyPolicy(QueryApi.ConcurrencyPolicy,
            services => services.GetRequiredService<IOptions<LakehouseOptions>>().Value.MaxConcurrentQueriesPerCaller,
            QueryApi.RecordThrottled);
        builder.Services.AddSingleton<DuckDbPool>();
        builder.Services.AddSingleton<QueryParser>();
        builder.Services.AddSingleton<QueryExecutor>();
        builder.Services.AddSingleton(services =>
        {
            var settings = services.GetRequiredService<IOptions<LakehouseOptions>>().Value;
            return new SharedLakeDatabase(settings.LakeRoot, new QueryLimits(TimeSpan.FromSeconds(settings.TimeoutSeconds), settings.MaxRows, settings.MemoryLimit));
        });
        var options = builder.Configuration.GetSection(LakehouseOptions.SectionName).Get<LakehouseOptions>() ?? new LakehouseOptions();
        builder.Services.AddMeshJwtBearer(options.Auth);
        builder.Services.AddAuthorization();
        builder.Services.AddLakehouseOpenApi(options.Auth);
        builder.Services.AddTransient(services => services.GetRequiredService<IOptions<LakehouseOptions>>().Value);
        return builder;
    }

    public static WebApplication MapLakehouse(this WebApplication app)
    {
        app.UseMeshApiConventions();
        app.MapDefaultEndpoints();
        app.MapOpenApi();
        app.MapScalarApiReference();
        app.MapQueryApi();
        app.MapUsageApi();
        return app;
    }
}
