namespace MeshInABox.Iceberg;

/// <summary>A commit could not be made (another writer won every retry, or the table exists); nothing was changed.</summary>
public sealed class IcebergCommitException(string message) : Exception(message);
