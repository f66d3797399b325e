namespace MeshInABox.Iceberg;

/// <summary>A table's files do not follow the Iceberg spec (or use a part of it this project does not read).</summary>
public sealed class IcebergFormatException(string message, Exception? inner = null) : Exception(message, inner);
