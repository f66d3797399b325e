using MeshInABox.Postgres.Migrations;
using MeshInABox.Registry.Model;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MeshInABox.Registry.Apis;

/// <summary>The service's root: what it is and which schema version it runs.</summary>
public static class ServiceInfoApi
{
    public static IEndpointRouteBuilder MapServiceInfoApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", GetServiceInfo)
            .WithName(nameof(GetServiceInfo))
            .WithSummary("Describes the registry service and its schema version.")
            .WithTags("Service");
        return app;
    }

    public static Ok<ServiceInfo> GetServiceInfo(MigrationState migrations) =>
        TypedResults.Ok(new ServiceInfo("registry", "MeshInABox data product registry", migrations.SchemaVersion));
}
