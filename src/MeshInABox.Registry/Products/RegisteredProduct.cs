using System.Text.Json.Serialization;
using MeshInABox.Domain.Products;

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

/// <summary>What consumers of a deprecated product are told: when it goes, and what to use instead.</summary>
public sealed record Deprecation(DateTimeOffset SunsetAt, string Message);

/// <summary>An output a product registers or a version publishes, checked: its name and kind are valid.</summary>
/// <remarks>Stored as JSON and hashed into a version's content hash: the property order is part of the format.</remarks>
public sealed record RegisteredOutput(
    string Name,
    OutputKind Kind,
    string? Location = null,
    string? StorageTemplate = null,
    string? Transform = null,
    string? Source = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Sql = null);

/// <summary>A product (and optionally one of its outputs) this one is derived from.</summary>
public sealed record RegisteredInput(string Product, string? Output = null);
