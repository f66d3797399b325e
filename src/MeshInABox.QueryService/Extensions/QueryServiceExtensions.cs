using MeshInABox.Domain.Profiles;
using MeshInABox.Lakehouse.Query;
using MeshInABox.Postgres;
using MeshInABox.QueryService.Apis;
using MeshInABox.QueryService.Infrastructure;
using MeshInABox.QueryService.OpenApi;
using MeshInABox.QueryService.Usage;
using MeshInABox.ServiceDefaults;
using MeshInABox.ServiceDefaults.Http;
using MeshInABox.ServiceDefaults.Locations;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;

namespace MeshInABox.QueryService.Extensions;

/// <summary>The query service's composition, shared by its Program and by the embedded host.</summary>
public static class QueryServiceExtensions
{
    /// <summary>The registry as Aspire names it; service discovery resolves <c>services:registry:http:0</c>.</summary>
    public static readonly Uri RegistryAddress = new("http://registry");

    /// <summary>The mesh database: usage records live in <see cref="SchemaName"/>; PostgreSQL products on the same server.</summary>
    public const string DatabaseName = MeshTopology.Database;

    public const string SchemaName = "lakehouse";

    public static IHostApplicationBuilder AddQueryService(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddMeshApiConventions<QueryServiceOptions>(options => options.MaxRequestBytes);
        builder.AddServiceDatabase(DatabaseName, SchemaName, typeof(QueryServiceExtensions).Assembly);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<UsageStore>();
        builder.Services.AddSingleton<UsageRecorder>();
        builder.Services.AddHostedService(services => services.GetRequiredService<UsageRecorder>());
        builder.Services.AddOptions<QueryServiceOptions>()
            .BindConfiguration(QueryServiceOptions.SectionName)
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
        builder.Services.AddCallerConcurrencyPolicy(QueryApi.ConcurrencyPolicy,
            services => services.GetRequiredService<IOptions<QueryServiceOptions>>().Value.MaxConcurrentQueriesPerCaller,
            QueryApi.RecordThrottled);
        builder.Services.AddSingleton<DuckDbPool>();
        builder.Services.AddSingleton(services =>
        {
            var settings = services.GetRequiredService<IOptions<QueryServiceOptions>>().Value;
            return new SharedLakeDatabase(settings.LakeRoot, new QueryLimits(TimeSpan.FromSeconds(settings.TimeoutSeconds), settings.MaxRows, settings.MemoryLimit));
        });
        var options = builder.Configuration.GetSection(QueryServiceOptions.SectionName).Get<QueryServiceOptions>() ?? new QueryServiceOptions();
        builder.Services.AddMeshJwtBearer(options.Auth);
        builder.Services.AddAuthorization();
        builder.Services.AddQueryServiceOpenApi(options.Auth);
        builder.Services.AddTransient(services => services.GetRequiredService<IOptions<QueryServiceOptions>>().Value);
        return builder;
    }

    public static WebApplication MapQueryService(this WebApplication app)
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
