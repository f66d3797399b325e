using System.Text.Json;

namespace MeshInABox.Registry.Model;

/// <summary>A change to the registry, in commit order: product.registered, version.published...</summary>
public sealed record OutboxEvent(long Position, string Type, string ProductId, JsonElement Payload, DateTimeOffset CreatedAt);
