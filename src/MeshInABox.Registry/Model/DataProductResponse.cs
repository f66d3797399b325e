namespace MeshInABox.Registry.Model;

/// <summary>A registered product as consumers see it.</summary>
public sealed record DataProductResponse(
    string Id,
    string Name,
    string Domain,
    string Owner,
    string Description,
    string? BusinessUnit,
    IReadOnlyList<string> Tags,
    string Classification,
    string Status,
    IReadOnlyList<ProductOutputDto> Outputs,
    IReadOnlyList<ProductInputDto> Inputs,
    DeprecationNotice? Deprecation,
    string? LatestVersion,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
