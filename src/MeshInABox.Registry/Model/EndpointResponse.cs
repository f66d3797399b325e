using System.Text.Json;

namespace MeshInABox.Registry.Model;

/// <summary>Where an output's data lives: a file path, host/database/schema/table, a lakehouse table or a topic.</summary>
public sealed record EndpointResponse(string Output, string Kind, JsonElement Location, DateTimeOffset UpdatedAt);
