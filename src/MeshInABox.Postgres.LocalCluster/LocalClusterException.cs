namespace MeshInABox.Postgres.LocalCluster;

/// <summary>
/// A problem with the local PostgreSQL server the user can fix (binaries missing,
/// port taken, a data directory of another version); its message says what
/// happened and what to do, and is shown as is (no stack trace).
/// </summary>
public sealed class LocalClusterException(string message, Exception? inner = null) : Exception(message, inner);
