namespace MeshInABox.Postgres.LocalCluster;

/// <param name="ClusterDirectory">Holds the cluster (<c>data/</c>), its log and its superuser password.</param>
/// <param name="Port">Loopback port; 0 picks a free one.</param>
/// <param name="Durable">False trades crash safety for speed (tests, ephemeral meshes).</param>
/// <param name="RemoveWhenOrphaned">
/// A directory the watchdog deletes after stopping the server when this process
/// died without stopping it (an ephemeral mesh's temporary directory); null keeps everything.
/// </param>
public sealed record LocalPostgresOptions(string ClusterDirectory, int Port = 0, bool Durable = true, string? RemoveWhenOrphaned = null);
