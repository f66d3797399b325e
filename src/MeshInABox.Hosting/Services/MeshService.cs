using System.Reflection;
using MeshInABox.Domain.Profiles;
using MeshInABox.Lakehouse.Extensions;
using MeshInABox.Registry.Extensions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace MeshInABox.Hosting.Services;

/// <summary>
/// How the embedded host starts one service of <see cref="MeshTopology"/> in-process: composed
/// by the same extension methods as the service's own Program, so both hosts run the same code.
/// </summary>
/// <param name="Assembly">The service's own assembly: its application name, as when it runs from its Program.</param>
public sealed record MeshService(
    MeshServiceSpec Spec,
    Assembly Assembly,
    Action<IHostApplicationBuilder> Configure,
    Action<WebApplication> Map)
{
    public string Name => Spec.Name;

    public static IReadOnlyList<MeshService> All { get; } =
    [
        new(MeshTopology.Registry, typeof(RegistryApplicationExtensions).Assembly, builder => builder.AddRegistry(), app => app.MapRegistry()),
        new(MeshTopology.Lakehouse, typeof(LakehouseApplicationExtensions).Assembly, builder => builder.AddLakehouse(), app => app.MapLakehouse()),
    ];

    /// <summary>The services a profile switches on, in start order.</summary>
    public static IReadOnlyList<MeshService> For(MeshProfile profile) =>
        [.. MeshTopology.For(profile).Select(spec => All.Single(service => service.Spec == spec))];
}
