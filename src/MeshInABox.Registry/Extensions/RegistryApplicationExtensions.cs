using MeshInABox.Domain.Profiles;
using MeshInABox.Postgres;
using MeshInABox.Registry.Access;
using MeshInABox.Registry.Apis;
using MeshInABox.Registry.Auth;
using MeshInABox.Registry.DataHub;
using MeshInABox.Registry.Infrastructure;
using MeshInABox.Registry.Kafka;
using MeshInABox.Registry.Locations;
using MeshInABox.Registry.OpenApi;
using MeshInABox.Registry.OpenLineage;
using MeshInABox.Registry.Portal;
using MeshInABox.Registry.ProductLineage;
using MeshInABox.Registry.Storage;
using MeshInABox.Storage.Csv;
using MeshInABox.Storage.Kafka;
using MeshInABox.Storage.Lakehouse;
using MeshInABox.Storage.Postgres;
using MeshInABox.Domain.Naming;
using Microsoft.AspNetCore.DataProtection;
using Npgsql;
using MeshInABox.Storage.Provisioning;
using MeshInABox.Registry.Publishing;
using MeshInABox.ServiceDefaults;
using MeshInABox.ServiceDefaults.Http;
using MeshInABox.ServiceDefaults.Locations;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Scalar.AspNetCore;

namespace MeshInABox.Registry.Extensions;

/// <summary>
/// The registry's composition, shared by its own Program and by the embedded
/// host, which runs the same service in-process.
/// </summary>
public static class RegistryApplicationExtensions
{
    public const string DatabaseName = MeshTopology.Database;
    public const string KafkaConnectionName = MeshTopology.Kafka;
    public const string DataHubConnectionName = "datahub";

    /// <summary>Tables live in their own schema so services can share one database.</summary>
    public const string SchemaName = "registry";

    public static IHostApplicationBuilder AddRegistry(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddMeshApiConventions<RegistryOptions>(options => options.MaxRequestBytes);
        builder.Services.Configure<JsonOptions>(options => options.SerializerOptions.AllowTrailingCommas = false);
        builder.Services.TryAddSingleton(TimeProvider.System);

        builder.Services.AddOptions<RegistryOptions>()
            .BindConfiguration(RegistryOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        var options = builder.Configuration.GetSection(RegistryOptions.SectionName).Get<RegistryOptions>() ?? new RegistryOptions();

        builder.AddServiceDatabase(DatabaseName, SchemaName, typeof(RegistryApplicationExtensions).Assembly);
        builder.AddRegistryAuth(options.Auth);
        builder.Services.AddRegistryOpenApi(options.Auth);

        builder.Services.AddOptions<LocationOptions>().BindConfiguration(LocationOptions.SectionName);
        builder.Services.AddSingleton<LocationRules>();
        builder.Services.AddSingleton<ProductStore>();
        builder.Services.AddSingleton<VersionStore>();
        builder.Services.AddSingleton<EndpointStore>();
        builder.Services.AddSingleton<GrantStore>();
        builder.Services.AddSingleton<AccessRequestStore>();
        builder.Services.AddSingleton<AccessService>();
        builder.Services.AddSingleton<IAccessApplier, GrantListApplier>();
        builder.Services.AddSingleton<LineageStore>();
        builder.Services.AddSingleton<ProductLineageStore>();
        builder.Services.AddSingleton<ProductLineageService>();
        builder.Services.AddSingleton<ICatalogLineage>(services => services.GetRequiredService<ProductLineageService>());
        builder.Services.AddSingleton<Outbox>();
        builder.Services.AddSingleton<PublishingSignal>();
        builder.Services.AddSingleton<StoragePlane>();
        builder.Services.AddSingleton<ProductStorage>();
        builder.Services.AddSingleton<PublishingWorker>();
        builder.Services.AddCatalogPortal(builder.Configuration);
        if (options.WorkerEnabled)
        {
            builder.Services.AddHostedService(services => services.GetRequiredService<PublishingWorker>());
        }

        if (!string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(KafkaConnectionName)))
        {
            builder.AddRegistryEventsProducer(KafkaConnectionName);
            builder.Services.AddSingleton(new KafkaRelayOptions(options.EventsTopic));
            builder.Services.AddHostedService<OutboxKafkaRelay>();
        }

        builder.AddOutboundFeeds(options);
        builder.AddStorageTemplates(options.Storage);

        return builder;
    }

    /// <summary>
    /// The storage plane's templates (from iteration-2): lakehouse tables under the lake root, CSV files under the
    /// first mesh repository, Kafka topics on the configured broker (or, without one, a refusal that says so).
    /// </summary>
    private static void AddStorageTemplates(this IHostApplicationBuilder builder, StorageOptions storage)
    {
        if (!storage.Enabled)
        {
            return;
        }

        if (!string.IsNullOrWhiteSpace(storage.LakeRoot))
        {
            builder.Services.AddSingleton<IStorageTemplate>(services => new LakehouseStorage(storage.LakeRoot, services.GetRequiredService<TimeProvider>()));
        }

        var roots = builder.Configuration.GetSection(LocationOptions.SectionName).Get<LocationOptions>()?.RepositoryRoots ?? [];
        if (roots.Length > 0)
        {
            builder.Services.AddSingleton<IStorageTemplate>(new CsvStorage(roots[0]));
        }

        builder.Services.AddSingleton<IStorageTemplate>(new KafkaStorage(builder.Configuration.GetConnectionString(KafkaConnectionName)));
        builder.AddPostgresStorage(storage);
    }

    /// <summary>
    /// PostgreSQL products: a schema per product in the mesh database (where the registry's own tables live in
    /// schema <c>registry</c>), created and granted as the registry's login; their owners' passwords encrypted here.
    /// </summary>
    private static void AddPostgresStorage(this IHostApplicationBuilder builder, StorageOptions storage)
    {
        var server = new NpgsqlConnectionStringBuilder(builder.Configuration.GetConnectionString(DatabaseName) ?? "");
        var endpoint = new PostgresEndpoint(server.Host ?? "localhost", server.Port, server.Database ?? "postgres");
        var roles = new PostgresRoles(builder.Configuration[PostgresRoles.PrefixSetting] ?? PostgresRoles.DefaultPrefix);
        var protection = builder.Services.AddDataProtection().SetApplicationName("MeshInABox.Registry");
        if (!string.IsNullOrWhiteSpace(storage.KeysDirectory))
        {
            protection.PersistKeysToFileSystem(new DirectoryInfo(storage.KeysDirectory));
        }

        builder.Services.AddSingleton(roles);
        builder.Services.AddSingleton(endpoint);
        builder.Services.AddSingleton(services => ActivatorUtilities.CreateInstance<ProtectedOwnerCredentials>(services, storage));
        builder.Services.AddSingleton(services => new PostgresStorage(
            services.GetRequiredService<NpgsqlDataSource>(), roles, endpoint, services.GetRequiredService<ProtectedOwnerCredentials>()));
        builder.Services.AddSingleton<IStorageTemplate>(services => services.GetRequiredService<PostgresStorage>());
        builder.Services.AddSingleton(services => new PostgresAccess(services.GetRequiredService<NpgsqlDataSource>(), roles, storage.ReaderLogin));
        builder.Services.AddSingleton(services => new PostgresMetadata(services.GetRequiredService<NpgsqlDataSource>(), roles));
        builder.Services.AddSingleton(services => new PostgresArchive(services.GetRequiredService<NpgsqlDataSource>(), roles));
        builder.Services.AddSingleton(services => new PostgresReaders(services.GetRequiredService<NpgsqlDataSource>(), roles));
        builder.Services.AddSingleton(services => new PostgresSeed(services.GetRequiredService<NpgsqlDataSource>(), roles));
        builder.Services.AddSingleton<IAccessApplier, PostgresAccessApplier>();
    }

    /// <summary>The DataHub feed and OpenLineage forwarding, each only when configured.</summary>
    private static void AddOutboundFeeds(this IHostApplicationBuilder builder, RegistryOptions options)
    {
        var gms = builder.Configuration.GetConnectionString(DataHubConnectionName);
        var forwardTo = options.OpenLineage.Url;
        if (string.IsNullOrWhiteSpace(gms) && string.IsNullOrWhiteSpace(forwardTo))
        {
            return;
        }

        builder.Services.AddSingleton<FeedPositions>();
        var health = builder.Services.AddHealthChecks();
        if (!string.IsNullOrWhiteSpace(gms))
        {
            var gmsBase = new Uri(gms.EndsWith('/') ? gms : gms + "/", UriKind.Absolute);
            builder.Services.AddSingleton(options.DataHub);
            builder.Services.TryAddSingleton<IOutputLineageReader>(services => services.GetRequiredService<ProductLineageStore>());
            builder.Services.AddSingleton(services => new DataHubGms(
                FeedClient(options.DataHub, gmsBase), options.DataHub, services.GetRequiredService<TimeProvider>()));
            builder.Services.AddSingleton<DataHubFeed>();
            builder.Services.AddHostedService(services => services.GetRequiredService<DataHubFeed>());
            health.AddCheck<FeedHealthCheck<DataHubFeed, ProductChange>>("datahub-feed", tags: ["feed"]);
        }

        if (!string.IsNullOrWhiteSpace(forwardTo))
        {
            _ = new Uri(forwardTo, UriKind.Absolute); // a bad URL fails the start, not every delivery
            builder.Services.AddSingleton(options.OpenLineage);
            builder.Services.AddSingleton(services => ActivatorUtilities.CreateInstance<OpenLineageForwarder>(
                services, FeedClient(options.OpenLineage, null)));
            builder.Services.AddHostedService(services => services.GetRequiredService<OpenLineageForwarder>());
            health.AddCheck<FeedHealthCheck<OpenLineageForwarder, StoredLineageEvent>>("openlineage-forwarder", tags: ["feed"]);
        }
    }

    /// <summary>
    /// A client of the feed's own, outside IHttpClientFactory: the standard resilience handler every factory client gets
    /// would retry under the feed's own backoff and hide failures from it.
    /// </summary>
    private static HttpClient FeedClient(FeedOptions options, Uri? baseAddress) =>
        new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = baseAddress,
            Timeout = options.RequestTimeout,
        };

    public static WebApplication MapRegistry(this WebApplication app)
    {
        app.UseMeshApiConventions();

        app.MapDefaultEndpoints();
        app.MapOpenApi();
        app.MapScalarApiReference();
        app.MapServiceInfoApi();
        app.MapDataProductsApi();
        app.MapVersionsApi();
        app.MapEndpointsApi();
        app.MapAccessRequestsApi();
        app.MapCredentialsApi();
        app.MapStorageApi();
        app.MapGrantsApi();
        app.MapEventsApi();
        app.MapLineageApi();
        app.MapProductLineageApi();
        app.MapCatalogPortal();
        return app;
    }
}
