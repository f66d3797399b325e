namespace MeshInABox.Domain.Products;

/// <summary>Who may read a product's data: anyone in the mesh, or holders of a grant.</summary>
public enum Classification
{
    Open,
    Restricted,
}

public enum ProductStatus
{
    Draft,
    Active,
    Deprecated,
    Retired,
}

/// <summary>Where an output's data lives; the storage plane provisions all but CSV.</summary>
public enum OutputKind
{
    Csv,
    Postgres,
    Lakehouse,
    Kafka,
}
