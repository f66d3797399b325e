using MeshInABox.Domain.Profiles;
using MeshInABox.ServiceDefaults;

// dotnet run --project MeshInABox.AppHost -- --profile iteration-2
// Switches (command line or configuration):
//   --Mesh:Kafka false     no Kafka broker from iteration-1 on (the registry then keeps its events in the outbox)
//   --Mesh:KafkaUI true    Kafka UI beside the broker (off by default)
//   --Mesh:PgWeb true      pgweb beside PostgreSQL (off by default)
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

    if (service.PublishesEvents && kafka is not null)
    {
        project.WithReference(kafka).WaitFor(kafka);
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
