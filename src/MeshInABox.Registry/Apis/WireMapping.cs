using MeshInABox.Registry.Infrastructure;
using MeshInABox.Registry.Model;
using MeshInABox.Registry.OpenLineage;
using MeshInABox.Registry.Products;
using MeshInABox.Registry.Publishing;

namespace MeshInABox.Registry.Apis;

/// <summary>
/// The one place the registry's records become the API's JSON (<see cref="Model"/>), which the CLI and other
/// clients read: enums as their lower-case names, times as they were stored.
/// </summary>
public static class WireMapping
{
    public static DataProductResponse ToResponse(this RegisteredProduct product) => new(
        product.Id, product.Name, product.Domain, product.Owner, product.Description, product.BusinessUnit, product.Tags,
        EnumNames.Of(product.Classification), EnumNames.Of(product.Status),
        [.. product.Outputs.Select(ToDto)],
        [.. product.Inputs.Select(i => new ProductInputDto(i.Product, i.Output))],
        product.Deprecation is { } deprecation
            ? new DeprecationNotice(deprecation.SunsetAt, deprecation.Message, deprecation.Audience?.Downstream ?? [], deprecation.Audience?.Consumers ?? [], deprecation.Audience?.UsageNote)
            : null,
        product.LatestVersion, product.CreatedAt, product.UpdatedAt);

    public static ProductPage ToResponse(this ProductStore.SearchPage page, int pageNumber, int pageSize) =>
        new([.. page.Items.Select(ToResponse)], pageNumber, pageSize, page.Total);

    public static VersionResponse ToResponse(this PublishedVersion version) => new(
        version.ProductId, version.Version, EnumNames.Of(version.Status),
        [.. version.Reasons.Select(r => new VersionReason(r.Kind, r.Code, r.Message, r.Fix, r.Line, r.Column))],
        [.. version.Changes.Select(c => new ContractChangeDto(EnumNames.Of(c.Class), c.Path, c.Description))],
        version.CreatedAt, version.UpdatedAt, version.Impact ?? [], version.Provisioning ?? []);

    public static EndpointResponse ToResponse(this EndpointStore.RecordedEndpoint endpoint) =>
        new(endpoint.Output, EnumNames.Of(endpoint.Kind), endpoint.Location, endpoint.UpdatedAt);

    public static GrantResponse ToResponse(this GrantStore.ProductGrant grant) =>
        new(grant.ProductId, grant.Subject, grant.GrantedBy, grant.GrantedAt);

    public static OutboxEvent ToResponse(this Outbox.RegistryEvent item) =>
        new(item.Position, item.Type, item.ProductId, item.Payload, item.CreatedAt);

    public static LineageEventResponse ToResponse(this StoredLineageEvent item) =>
        new(item.Position, item.Kind switch
        {
            LineageEventKind.Run => "RunEvent",
            LineageEventKind.Job => "JobEvent",
            _ => "DatasetEvent",
        }, item.Domain, item.ReceivedAt, item.Event);

    public static LineageIntakeResponse ToResponse(this LineageIntake intake) =>
        new(intake.Stored + intake.Duplicates, intake.Stored, intake.Duplicates, intake.DatasetEdges, intake.ColumnEdges);

    public static ProductOutputDto ToDto(this RegisteredOutput output) =>
        new(output.Name, EnumNames.Of(output.Kind), output.Location, output.StorageTemplate, output.Transform, output.Source, output.Sql,
            output.Storage is { } storage ? new StorageDto(storage.Template, storage.Parameters) : null);
}
