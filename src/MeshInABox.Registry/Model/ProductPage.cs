namespace MeshInABox.Registry.Model;

/// <summary>One page of a product search.</summary>
public sealed record ProductPage(IReadOnlyList<DataProductResponse> Items, int Page, int PageSize, long Total);
