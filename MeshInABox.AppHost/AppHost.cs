using MeshInABox.Domain.Profiles;
using MeshInABox.ServiceDefaults;

// dotnet run --project MeshInABox.AppHost -- --profile iteration-2
// Switches (command line or configuration):
//   --Mesh:Kafka false     no Kafka broker from iteration-1 on (the registry then keeps its events in the outbox)
//   --Mesh:KafkaUI true    Kafka UI beside the broker (off by default)
//   --Mesh:PgWeb true      pgweb beside PostgreSQL (off by default)
//   --Mesh:DataHub true    DataHub (GMS, OpenSearch, its system update) from iteration-1 on, fed by the registry; needs Kafka
//   --Mesh:DataHubUI true  DataHub's web frontend beside GMS (off by default)
var builder = DistributedApplication.CreateBuilder(args);

var requested = builder.Configuration["profile"];
if (!MeshProfile.TryFind(requested ?? MeshProfile.Default.Name, out var profile))
{
    throw new ArgumentException(
        $"Unknown profile '{requested}'. Choose one of: {string.Join(", ", MeshProfile.All.Select(p => p.Name))}.");
}

var kafkaWanted = Switch("Mesh:Kafka", KafkaBuiltIn);
if (kafkaWanted && !KafkaBuiltIn)
{
    throw new ArgumentException(
        "Mesh:Kafka is on, but this AppHost was built without Aspire.Hosting.Kafka; build it with -p:MeshKafka=true.");
}

// The same profile and topology the embedded host reads (MeshTopology): a plane switched off adds no resource.
var postgres = builder.AddPostgres("postgres")
    .WithDataVolume();
if (Switch("Mesh:PgWeb", false))
{
    postgres.WithPgWeb();
}

var meshdb = postgres.AddDatabase(MeshTopology.Database);

// Tokens for local use ('mesh token --data-dir MeshInABox.AppHost/.mesh') are signed with this key,
// as under the embedded host; point Registry__Auth__Authority at a real OIDC issuer instead in production.
var signingKey = Path.Combine(builder.AppHostDirectory, ".mesh", "keys", "registry-signing.key");
// Whoever reads the key can mint tokens for every domain: readable by this user only, from its first byte.
LocalSigningKey.EnsureExists(signingKey);

// Product folders with file outputs (CSV) must lie under a mesh repository: the sample mesh, as 'mesh up' defaults to.
var sampleMesh = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "samples", "messflix"));

// From iteration 1 the catalog follows the registry's events; Kafka carries them in the full stack.
var kafka = MeshTopology.CarriesKafka(profile) && kafkaWanted ? AddKafka() : null;

// DataHub is the full stack's catalog; it needs ~8 GB of RAM, so it is asked for, never a default.
(IResourceBuilder<IResourceWithConnectionString> Connection, IResourceBuilder<ContainerResource> Gms)? datahub =
    profile.Has(Plane.Catalog) && Switch("Mesh:DataHub", false) ? AddDataHub() : null;

// How each service of the topology becomes a project resource; which ones run, and what they get, is MeshTopology's.
var projects = new Dictionary<string, Func<IResourceBuilder<ProjectResource>>>
{
    [MeshTopology.Registry.Name] = () => builder.AddProject<Projects.MeshInABox_Registry>(MeshTopology.Registry.Name),
    // The lakehouse service has no launch settings, so its HTTP endpoint is declared here.
    [MeshTopology.Lakehouse.Name] = () => builder.AddProject<Projects.MeshInABox_Lakehouse>(MeshTopology.Lakehouse.Name).WithHttpEndpoint(),
};

var added = new Dictionary<string, IResourceBuilder<ProjectResource>>();
foreach (var service in MeshTopology.For(profile))
{
    var project = projects[service.Name]();
    foreach (var reference in service.References)
    {
        project.WithReference(added[reference]).WaitFor(added[reference]);
    }

    project.WithReference(meshdb)
        .WaitFor(meshdb)
        .WithEnvironment(MeshTopology.EnvironmentVariable(MeshTopology.ProfileSetting), profile.Name)
        .WithEnvironment(MeshTopology.EnvironmentVariable(service.SigningKeySetting), signingKey)
        .WithEnvironment(MeshTopology.EnvironmentVariable($"{MeshTopology.RepositoryRootsSetting}:0"), sampleMesh)
        .WithHttpHealthCheck(MeshTopology.HealthPath)
        .WithExternalHttpEndpoints();
    if (service.LakeRootSetting is { } lakeRoot)
    {
        project.WithEnvironment(MeshTopology.EnvironmentVariable(lakeRoot), Path.Combine(builder.AppHostDirectory, ".mesh", "lake"));
    }

    if (service.Name == MeshTopology.Registry.Name)
    {
        // The products' PostgreSQL schemas and roles live on the same PostgreSQL resource, in meshdb.
        project.WithEnvironment(MeshTopology.EnvironmentVariable(MeshTopology.StorageSetting), MeshTopology.ProvisionsStorage(profile) ? "true" : "false");
        foreach (var (setting, folder) in MeshTopology.StorageFolders)
        {
            project.WithEnvironment(MeshTopology.EnvironmentVariable(setting), Path.Combine(builder.AppHostDirectory, ".mesh", folder));
        }
    }

    if (service.PublishesEvents && kafka is not null)
    {
        project.WithReference(kafka).WaitFor(kafka);
    }

    if (service.Name == MeshTopology.Registry.Name && datahub is not null)
    {
        // ConnectionStrings__datahub: the GMS base URL the registry's DataHub feed posts to.
        project.WithReference(datahub.Value.Connection).WaitFor(datahub.Value.Gms);
    }

    added[service.Name] = project;
}

builder.Build().Run();

bool Switch(string key, bool defaultValue)
{
    var value = builder.Configuration[key];
    if (string.IsNullOrWhiteSpace(value))
    {
        return defaultValue;
    }

    return bool.TryParse(value, out var on)
        ? on
        : throw new ArgumentException($"{key} must be true or false, not '{value}'.");
}

// DataHub's smallest working set (datahub-project/datahub docker/quickstart): OpenSearch, a run-once system update
// that creates its tables, indices and topics, and GMS on the mesh's PostgreSQL and Kafka.
(IResourceBuilder<IResourceWithConnectionString> Connection, IResourceBuilder<ContainerResource> Gms) AddDataHub()
{
    if (kafka is null)
    {
        throw new ArgumentException("Mesh:DataHub needs Kafka (DataHub's GMS consumes its own topics): leave Mesh:Kafka on.");
    }

    var database = postgres.AddDatabase("datahub-db", "datahub");
    var opensearch = builder.AddContainer("opensearch", "opensearchproject/opensearch", "2.19.3")
        .WithEnvironment("discovery.type", "single-node")
        .WithEnvironment("DISABLE_SECURITY_PLUGIN", "true")
        .WithEnvironment("OPENSEARCH_JAVA_OPTS", "-Xms512m -Xmx512m")
        .WithHttpEndpoint(targetPort: 9200, name: "http");

    var password = postgres.Resource.PasswordParameter;
    void DataHubEnvironment(IResourceBuilder<ContainerResource> container) => container
        .WithEnvironment("EBEAN_DATASOURCE_USERNAME", "postgres")
        .WithEnvironment("EBEAN_DATASOURCE_PASSWORD", password)
        .WithEnvironment("EBEAN_DATASOURCE_HOST", $"{postgres.Resource.Name}:5432")
        .WithEnvironment("EBEAN_DATASOURCE_URL", $"jdbc:postgresql://{postgres.Resource.Name}:5432/datahub")
        .WithEnvironment("EBEAN_DATASOURCE_DRIVER", "org.postgresql.Driver")
        .WithEnvironment("ELASTICSEARCH_HOST", opensearch.Resource.Name)
        .WithEnvironment("ELASTICSEARCH_PORT", "9200")
        .WithEnvironment("ELASTICSEARCH_PROTOCOL", "http")
        .WithEnvironment("ELASTICSEARCH_USE_SSL", "false")
        .WithEnvironment("ELASTICSEARCH_IMPLEMENTATION", "opensearch")
        .WithEnvironment("GRAPH_SERVICE_IMPL", "elasticsearch")
        // Containers reach Aspire's Kafka on its internal listener, not the host's localhost one.
        .WithEnvironment("KAFKA_BOOTSTRAP_SERVER", $"{MeshTopology.Kafka}:9093")
        .WithEnvironment("SCHEMA_REGISTRY_TYPE", "INTERNAL")
        .WithEnvironment("KAFKA_SCHEMAREGISTRY_URL", "http://datahub-gms:8080/schema-registry/api/")
        .WithEnvironment("MAE_CONSUMER_ENABLED", "true")
        .WithEnvironment("MCE_CONSUMER_ENABLED", "true")
        .WithEnvironment("PE_CONSUMER_ENABLED", "true")
        .WithEnvironment("METADATA_SERVICE_AUTH_ENABLED", "false");

    var systemUpdate = builder.AddContainer("datahub-system-update", "acryldata/datahub-upgrade", "head")
        .WithArgs("-u", "SystemUpdate")
        .WaitFor(database)
        .WaitFor(opensearch)
        .WaitFor(kafka);
    DataHubEnvironment(systemUpdate);

    var gms = builder.AddContainer("datahub-gms", "acryldata/datahub-gms", "head")
        .WithHttpEndpoint(targetPort: 8080, name: "http")
        .WithHttpHealthCheck("/health", endpointName: "http")
        .WithEnvironment("JAVA_OPTS", "-Xms1g -Xmx1g")
        .WaitForCompletion(systemUpdate)
        .WaitFor(database)
        .WaitFor(opensearch)
        .WaitFor(kafka);
    DataHubEnvironment(gms);

    if (Switch("Mesh:DataHubUI", false))
    {
        builder.AddContainer("datahub-frontend", "acryldata/datahub-frontend-react", "head")
            .WithHttpEndpoint(targetPort: 9002, name: "http")
            .WithEnvironment("DATAHUB_GMS_HOST", "datahub-gms")
            .WithEnvironment("DATAHUB_GMS_PORT", "8080")
            .WithEnvironment("DATAHUB_SECRET", "meshinabox-local-only")
            .WithEnvironment("KAFKA_BOOTSTRAP_SERVER", $"{MeshTopology.Kafka}:9093")
            .WithEnvironment("ELASTIC_CLIENT_HOST", opensearch.Resource.Name)
            .WithEnvironment("ELASTIC_CLIENT_PORT", "9200")
            .WithExternalHttpEndpoints()
            .WaitFor(gms);
    }

    return (builder.AddConnectionString("datahub", ReferenceExpression.Create($"{gms.GetEndpoint("http")}")), gms);
}

#if MESH_KAFKA
IResourceBuilder<IResourceWithConnectionString> AddKafka()
{
    var broker = builder.AddKafka(MeshTopology.Kafka);
    if (Switch("Mesh:KafkaUI", false))
    {
        broker.WithKafkaUI();
    }

    return broker;
}
#else
IResourceBuilder<IResourceWithConnectionString> AddKafka() =>
    throw new InvalidOperationException("Built without Aspire.Hosting.Kafka (-p:MeshKafka=false).");
#endif

/// <summary>Whether this build carries Aspire.Hosting.Kafka (see MeshKafka in Directory.Build.props).</summary>
public partial class Program
{
#if MESH_KAFKA
    internal const bool KafkaBuiltIn = true;
#else
    internal const bool KafkaBuiltIn = false;
#endif
}
