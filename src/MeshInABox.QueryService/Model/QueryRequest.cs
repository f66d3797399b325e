namespace MeshInABox.QueryService.Model;

/// <summary>Body of <c>POST /query</c>: one SELECT naming data products as domain.product.table.</summary>
public sealed record QueryRequest(string? Sql);
