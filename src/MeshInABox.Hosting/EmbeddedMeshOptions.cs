using MeshInABox.Domain.Profiles;

namespace MeshInABox.Hosting;

/// <param name="DataDirectory">Where the mesh keeps its cluster and state; null with <paramref name="Ephemeral"/>.</param>
/// <param name="Ephemeral">Use a temporary directory, removed when the mesh stops.</param>
/// <param name="BasePort">The first service listens here, the next on BasePort+1...; 0 picks free ports.</param>
/// <param name="ExternalConnectionString">ConnectionStrings__meshdb: use that server instead of a local cluster.</param>
/// <param name="RepositoryRoots">Mesh repositories whose product folders may hold file outputs (Locations:RepositoryRoots).</param>
/// <param name="Loader">What fills the mesh after its services are healthy; null starts it as it is.</param>
public sealed record EmbeddedMeshOptions(
    string? DataDirectory,
    bool Ephemeral,
    MeshProfile Profile,
    int BasePort,
    string? ExternalConnectionString,
    IReadOnlyList<string>? RepositoryRoots = null,
    IMeshLoader? Loader = null)
{
    public const int DefaultBasePort = 5180;
    public const string DefaultDataDirectory = ".mesh";
}
