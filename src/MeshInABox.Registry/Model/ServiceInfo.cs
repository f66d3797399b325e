namespace MeshInABox.Registry.Model;

/// <summary>Response of <c>GET /</c>.</summary>
public sealed record ServiceInfo(string Service, string Description, int? SchemaVersion);
