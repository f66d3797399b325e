using MeshInABox.Domain.Versioning;
using MeshInABox.Registry.ProductLineage;
using MeshInABox.Registry.Products;

namespace MeshInABox.Registry.Publishing;

/// <summary>A version as submitted and stored, with what validation has decided so far.</summary>
/// <param name="Contract">The ODCS contract, normalised to YAML when it was submitted.</param>
/// <param name="Impact">For an active MAJOR version, the downstream products it would break when it was decided.</param>
/// <param name="Provisioning">Each provisioned output's steps, as they finished (while validating) or as decided.</param>
/// <param name="Attempts">Claims by a worker so far; each one counts, whether it finished or not.</param>
public sealed record PublishedVersion(
    long Id,
    string ProductId,
    string Version,
    VersionStatus Status,
    string Contract,
    string? StreamContract,
    string ContentHash,
    IReadOnlyList<RegisteredOutput> Outputs,
    string IdempotencyKey,
    string RequestHash,
    IReadOnlyList<RejectionReason> Reasons,
    IReadOnlyList<ContractChange> Changes,
    int Attempts,
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<ImpactedProduct>? Impact = null,
    IReadOnlyList<Storage.ProvisioningRecord>? Provisioning = null);
