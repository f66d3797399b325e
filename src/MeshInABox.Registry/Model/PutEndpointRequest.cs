using System.Text.Json;

namespace MeshInABox.Registry.Model;

/// <summary>Body of <c>PUT /data-products/{productId}/endpoints/{output}</c>, written by the storage plane.</summary>
public sealed record PutEndpointRequest(string? Kind, JsonElement? Location);
