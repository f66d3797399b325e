namespace MeshInABox.Registry.Model;

/// <summary>A published version and where validation has got to: accepted, validating, active or rejected.</summary>
public sealed record VersionResponse(
    string ProductId,
    string Version,
    string Status,
    IReadOnlyList<VersionReason> Reasons,
    IReadOnlyList<ContractChangeDto> Changes,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
