namespace MeshInABox.Registry.Model;

/// <summary>A grant: who may read a restricted product, and who granted it when.</summary>
public sealed record GrantResponse(string ProductId, string Subject, string GrantedBy, DateTimeOffset GrantedAt);
