using System.Security.Cryptography;
using MeshInABox.Domain.Profiles;

// dotnet run --project MeshInABox.AppHost -- --profile iteration-2
var builder = DistributedApplication.CreateBuilder(args);

var requested = builder.Configuration["profile"];
if (!MeshProfile.TryFind(requested ?? MeshProfile.Default.Name, out var profile))
{
    throw new ArgumentException(
        $"Unknown profile '{requested}'. Choose one of: {string.Join(", ", MeshProfile.All.Select(p => p.Name))}.");
}

// The same profile data the embedded host reads: a plane switched off adds no resource.
var postgres = builder.AddPostgres("postgres")
    .WithDataVolume()
    .WithPgWeb();
var meshdb = postgres.AddDatabase("meshdb");

// Tokens for local use ('mesh token --data-dir MeshInABox.AppHost/.mesh') are signed with this key,
// as under the embedded host; point Registry__Auth__Authority at a real OIDC issuer instead in production.
var signingKey = Path.Combine(builder.AppHostDirectory, ".mesh", "keys", "registry-signing.key");
if (!File.Exists(signingKey))
{
    Directory.CreateDirectory(Path.GetDirectoryName(signingKey)!);
    File.WriteAllText(signingKey, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
}

// Product folders with file outputs (CSV) must lie under a mesh repository: the sample mesh, as 'mesh up' defaults to.
var sampleMesh = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "samples", "messflix"));

if (profile.Has(Plane.DataProduct))
{
    var registry = builder.AddProject<Projects.MeshInABox_Registry>("registry")
        .WithReference(meshdb)
        .WaitFor(meshdb)
        .WithEnvironment("Registry__Auth__SigningKeyFile", signingKey)
        .WithEnvironment("Locations__RepositoryRoots__0", sampleMesh)
        .WithHttpHealthCheck("/health")
        .WithExternalHttpEndpoints();

    // From iteration 1 the catalog follows the registry's events; Kafka carries them in the full stack.
#if MESH_KAFKA
    if (profile.Has(Plane.Catalog))
    {
        var kafka = builder.AddKafka("kafka").WithKafkaUI();
        registry.WithReference(kafka).WaitFor(kafka);
    }
#endif

    // From iteration 2: the SQL endpoint over data products, resolving names through the registry;
    // meshdb holds its usage records, and PostgreSQL products live on the same server.
    if (profile.Has(Plane.Lakehouse))
    {
        builder.AddProject<Projects.MeshInABox_QueryService>("lakehouse")
            .WithReference(registry)
            .WithReference(meshdb)
            .WaitFor(registry)
            .WithEnvironment("Lakehouse__LakeRoot", Path.Combine(builder.AppHostDirectory, ".mesh", "lake"))
            .WithEnvironment("Lakehouse__Auth__SigningKeyFile", signingKey)
            .WithEnvironment("Locations__RepositoryRoots__0", sampleMesh)
            .WithHttpHealthCheck("/health")
            .WithExternalHttpEndpoints();
    }
}

builder.Build().Run();
