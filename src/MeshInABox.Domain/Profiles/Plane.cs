namespace MeshInABox.Domain.Profiles;

/// <summary>The platform's planes; a profile switches them on cumulatively.</summary>
[Flags]
public enum Plane
{
    None = 0,
    DataProduct = 1 << 0,
    Governance = 1 << 1,
    Catalog = 1 << 2,
    Lineage = 1 << 3,
    Storage = 1 << 4,
    Lakehouse = 1 << 5,
    Transformation = 1 << 6,
}
