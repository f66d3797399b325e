namespace MeshInABox.Registry.Model;

/// <summary>Body of <c>POST /data-products/{productId}/deprecation</c>.</summary>
public sealed record DeprecateProductRequest(DateTimeOffset? SunsetAt, string? Message);
