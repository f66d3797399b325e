namespace MeshInABox.Registry.Model;

/// <summary>
/// Body of <c>POST /data-products</c>: the product's manifest. The id defaults
/// to <c>&lt;domain&gt;.&lt;name in kebab case&gt;</c>.
/// </summary>
public sealed record RegisterProductRequest(
    string? Name,
    string? Domain,
    string? Owner,
    string? Description,
    string? Id = null,
    string? BusinessUnit = null,
    IReadOnlyList<string>? Tags = null,
    string? Classification = null,
    IReadOnlyList<ProductOutputDto>? Outputs = null,
    IReadOnlyList<ProductInputDto>? Inputs = null);
