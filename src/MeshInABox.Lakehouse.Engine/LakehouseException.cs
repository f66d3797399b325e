namespace MeshInABox.Lakehouse.Engine;

/// <summary>A lakehouse request that cannot be done as asked; the message says why and what to do.</summary>
public sealed class LakehouseException(string message) : Exception(message);
