using MeshInABox.Domain.Products;
using MeshInABox.Domain.Versioning;
using MeshInABox.Registry.OpenLineage;
using MeshInABox.Registry.ProductLineage;

namespace MeshInABox.Registry.Publishing;

/// <summary>
/// What validation decided about a version: active when nothing stands against it, else rejected with the reasons.
/// The endpoints are recorded only for an active version.
/// </summary>
public sealed record Verdict(IReadOnlyList<RejectionReason> Reasons, IReadOnlyList<ContractChange> Changes, IReadOnlyList<EndpointLocation> Endpoints)
{
    /// <summary>The version's columns and design-time lineage, recorded when it is activated.</summary>
    public DesignLineage? Lineage { get; init; }

    /// <summary>For a MAJOR version: the downstream products it would break, when it was decided.</summary>
    public IReadOnlyList<ImpactedProduct> Impact { get; init; } = [];

    /// <summary>The design-time JobEvents the activation stores, readable at <c>GET /api/v1/lineage/events</c>.</summary>
    public IReadOnlyList<ReceivedLineageEvent> LineageEvents { get; init; } = [];

    /// <summary>What the storage plane did for each output that declares a template.</summary>
    public IReadOnlyList<Storage.ProvisioningRecord> Provisioning { get; init; } = [];

    public bool Active => Reasons.Count == 0;

    public VersionStatus Status => Active ? VersionStatus.Active : VersionStatus.Rejected;
}

/// <summary>Why a version was rejected: a policy violation, a contract error, a version bump too small, a location not the product's.</summary>
/// <remarks>Stored as JSON and shown as is: the property names are part of the API.</remarks>
public sealed record RejectionReason(string Kind, string Code, string Message, string? Fix = null, int? Line = null, int? Column = null);

/// <summary>Where an output's data lives as far as publishing can tell; the storage plane fills in the rest.</summary>
public sealed record EndpointLocation(string Output, OutputKind Kind, object Location);
