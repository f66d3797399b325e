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

if (profile.Has(Plane.DataProduct))
{
    builder.AddProject<Projects.MeshInABox_Registry>("registry")
        .WithReference(meshdb)
        .WaitFor(meshdb)
        .WithHttpHealthCheck("/health")
        .WithExternalHttpEndpoints();
}

builder.Build().Run();
