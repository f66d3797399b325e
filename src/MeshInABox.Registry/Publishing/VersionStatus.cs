namespace MeshInABox.Registry.Publishing;

/// <summary>Where a published version has got to: Accepted, then Validating (leased to a worker), then Active or Rejected.</summary>
public enum VersionStatus
{
    Accepted,
    Validating,
    Active,
    Rejected,
}
