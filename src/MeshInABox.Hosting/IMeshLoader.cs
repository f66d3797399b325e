using MeshInABox.Hosting.State;

namespace MeshInABox.Hosting;

/// <summary>
/// Fills a mesh once its services are healthy and before it writes its state, so that
/// whoever sees the state file (scripts, tests, <c>mesh status</c>) sees it loaded.
/// </summary>
public interface IMeshLoader
{
    /// <param name="mesh">The mesh's URLs and data directory; not yet written to disk.</param>
    Task LoadAsync(MeshState mesh, IStartupProgress progress, CancellationToken ct);
}
