using MeshInABox.Domain.Contracts;
using MeshInABox.Registry.Infrastructure;
using MeshInABox.Registry.Products;
using MeshInABox.Registry.ProductLineage;
using MeshInABox.Registry.Publishing;

namespace MeshInABox.Registry.Portal;

/// <summary>Everything a product page shows, read before rendering so the page itself does no I/O.</summary>
/// <param name="Current">The version the catalog describes: the highest active one.</param>
/// <param name="Impact">Null when lineage is not computed here.</param>
public sealed record ProductView(
    RegisteredProduct Product,
    IReadOnlyList<PublishedVersion> Versions,
    PublishedVersion? Current,
    DataContract? Contract,
    string? ContractError,
    IReadOnlyList<OutputSchema> Schemas,
    IReadOnlyList<EndpointStore.RecordedEndpoint> Endpoints,
    LakehouseUsage.Answer Usage,
    ProductGraphPicture? Graph,
    IReadOnlyList<ImpactedProduct>? Impact,
    bool LineageAvailable)
{
    /// <summary>Each output of the current version with the contract's object that describes it; objects no output names come last, under their own name.</summary>
    public static IReadOnlyList<OutputSchema> SchemasOf(PublishedVersion? current, DataContract? contract)
    {
        if (contract is null)
        {
            return [];
        }

        var schemas = new List<OutputSchema>();
        foreach (var output in current?.Outputs ?? [])
        {
            if (contract.ObjectFor(output.Name) is { } described && schemas.All(s => s.Object != described))
            {
                schemas.Add(new OutputSchema(output.Name, described));
            }
        }

        schemas.AddRange(contract.Schema.Where(o => schemas.All(s => s.Object != o)).Select(o => new OutputSchema(o.Name, o)));
        return schemas;
    }
}

/// <param name="Output">The output whose columns these are: what a column path is asked for.</param>
public sealed record OutputSchema(string Output, SchemaObject Object);
