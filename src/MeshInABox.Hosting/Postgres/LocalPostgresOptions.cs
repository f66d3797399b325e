namespace MeshInABox.Hosting.Postgres;

/// <param name="ClusterDirectory">Holds the cluster (<c>data/</c>), its log and its superuser password.</param>
/// <param name="Port">Loopback port; 0 picks a free one.</param>
/// <param name="Durable">False trades crash safety for speed (tests, ephemeral meshes).</param>
public sealed record LocalPostgresOptions(string ClusterDirectory, int Port = 0, bool Durable = true);
