using MeshInABox.Registry.ProductLineage;
using MeshInABox.Registry.Storage;

namespace MeshInABox.Registry.Model;

/// <summary>
/// A published version and where validation has got to: accepted, validating, active or rejected. <c>impact</c>: for
/// an active MAJOR version, the downstream products (and their owners) it would break, as the lineage stood when it was decided. <c>provisioning</c>:
/// from iteration-2, each output with a storage template and every step the storage plane ran for it.
/// </summary>
public sealed record VersionResponse(
    string ProductId,
    string Version,
    string Status,
    IReadOnlyList<VersionReason> Reasons,
    IReadOnlyList<ContractChangeDto> Changes,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<ImpactedProduct> Impact,
    IReadOnlyList<ProvisioningRecord> Provisioning);
