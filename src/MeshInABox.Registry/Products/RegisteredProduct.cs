using System.Text.Json.Serialization;
using MeshInABox.Domain.Products;
using MeshInABox.Registry.ProductLineage;

namespace MeshInABox.Registry.Products;

/// <summary>A data product as the registry holds it; the API shows it as <see cref="Model.DataProductResponse"/>.</summary>
/// <param name="Status">Active, Deprecated or Retired: the registry never holds a draft.</param>
public sealed record RegisteredProduct(
    string Id,
    string Name,
    string Domain,
    string Owner,
    string Description,
    string? BusinessUnit,
    IReadOnlyList<string> Tags,
    Classification Classification,
    ProductStatus Status,
    IReadOnlyList<RegisteredOutput> Outputs,
    IReadOnlyList<RegisteredInput> Inputs,
    Deprecation? Deprecation,
    string? LatestVersion,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>What consumers of a deprecated product are told: when it goes, what to use instead, and whom it concerns.</summary>
public sealed record Deprecation(DateTimeOffset SunsetAt, string Message, DeprecationAudience? Audience = null);

/// <summary>
/// Whom a deprecation concerns, as it stood when the product was deprecated: the products built on it (with their
/// owners) and who read it recently through the lakehouse; <see cref="UsageNote"/> says why there are no consumers to name.
/// </summary>
public sealed record DeprecationAudience(IReadOnlyList<ImpactedProduct> Downstream, IReadOnlyList<RecentConsumer> Consumers, string? UsageNote);

/// <summary>A subject that queried the product through the lakehouse: how often, and when last.</summary>
public sealed record RecentConsumer(string Subject, long Queries, DateTimeOffset LastReadAt);

/// <summary>An output a product registers or a version publishes, checked: its name and kind are valid.</summary>
/// <remarks>Stored as JSON and hashed into a version's content hash: the property order is part of the format.</remarks>
public sealed record RegisteredOutput(
    string Name,
    OutputKind Kind,
    string? Location = null,
    string? StorageTemplate = null,
    string? Transform = null,
    string? Source = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Sql = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] RegisteredStorage? Storage = null);

/// <summary>A checked storage declaration: a known template fitting the output's kind, and bounded parameters.</summary>
public sealed record RegisteredStorage(string Template, IReadOnlyDictionary<string, string> Parameters);

/// <summary>A product (and optionally one of its outputs) this one is derived from.</summary>
public sealed record RegisteredInput(string Product, string? Output = null);
