using MeshInABox.Domain.Profiles;
using MeshInABox.QueryService.Extensions;
using MeshInABox.Registry.Extensions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace MeshInABox.Hosting.Services;

/// <summary>
/// A service the embedded host runs in-process, composed by the same
/// extension methods as the service's own Program, so both hosts run the same code.
/// </summary>
public sealed record MeshService(
    string Name,
    Plane RequiredPlane,
    Action<IHostApplicationBuilder> Configure,
    Action<WebApplication> Map)
{
    public static IReadOnlyList<MeshService> All { get; } =
    [
        new("registry", Plane.DataProduct, builder => builder.AddRegistry(), app => app.MapRegistry()),
        new("lakehouse", Plane.Lakehouse, builder => builder.AddQueryService(), app => app.MapQueryService()),
    ];

    /// <summary>The services a profile switches on, in start order.</summary>
    public static IReadOnlyList<MeshService> For(MeshProfile profile) =>
        [.. All.Where(service => profile.Has(service.RequiredPlane))];
}
