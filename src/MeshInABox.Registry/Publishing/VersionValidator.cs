using MeshInABox.Domain.Contracts;
using MeshInABox.Domain.Documents;
using MeshInABox.Domain.Governance;
using MeshInABox.Domain.Products;
using MeshInABox.Domain.Streams;
using MeshInABox.Domain.Versioning;
using MeshInABox.Registry.Infrastructure;
using MeshInABox.Registry.Locations;
using MeshInABox.Registry.Model;

namespace MeshInABox.Registry.Publishing;

/// <summary>
/// Decides a version: the contract must be valid ODCS, the product with this
/// version's outputs must meet the mesh's policies, and the version number
/// must move as far as the changes since the previous active version require.
/// The outputs are those <see cref="VersionOutputs"/> decided when the version was submitted.
/// </summary>
public static class VersionValidator
{
    public static VersionStore.Verdict Decide(DataProductResponse product, VersionStore.VersionRow version, string? previousContract, LocationRules locations)
    {
        var reasons = new List<VersionReason>();
        var read = ContractReader.Read(version.Contract, "contract.yaml");
        reasons.AddRange(read.Errors.Select(e => new VersionReason("contract", "odcs", $"{(e.Path is null ? "" : e.Path + ": ")}{e.Message}", null, e.Location.Line, e.Location.Column)));

        var outputs = version.OutputList;
        var stream = version.StreamContract is null ? null : AsyncApiDocument.Read(version.StreamContract, "stream-contract.yaml");
        var manifest = Manifest(product, outputs, stream is not null);
        var review = new ProductReview(manifest, [.. manifest.Outputs.Select(o => new OutputReview(o, read, null, o.Kind == OutputKind.Kafka ? stream : null, null, null, null, null))]);
        foreach (var violation in GlobalPolicies.All.SelectMany(p => p.Evaluate(review)).Where(v => v.Severity == Severity.Error))
        {
            // Contract errors are already listed; policies restate them.
            if (violation.PolicyId is not ("contract-present" or "contract-semver") || read.Errors.Count == 0)
            {
                reasons.Add(new VersionReason("policy", violation.PolicyId, violation.Message, violation.Fix, violation.Location.Line, violation.Location.Column));
            }
        }

        var changes = new List<ContractChangeDto>();
        if (previousContract is not null && read.Contract.Version is not null)
        {
            var previous = ContractReader.Read(previousContract, "previous.yaml").Contract;
            if (previous.Version is not null)
            {
                var check = VersionCheck.Of(previous, read.Contract);
                changes.AddRange(check.Changes.Select(c => new ContractChangeDto(c.Class.ToString().ToLowerInvariant(), c.Path, c.Description)));
                if (!check.Allowed)
                {
                    reasons.Add(new VersionReason("version", "semver-bump", check.Verdict, "Publish under a version number that moves as far as the changes require."));
                }
            }
        }

        var endpoints = new List<(string, string, object)>();
        foreach (var output in outputs)
        {
            // Checked again here: the product's folder or the stream contract may have changed since the request.
            switch (output.Kind)
            {
                case "csv" when output.Location is not null:
                    var path = locations.File(output.Location, product.Id, out var pathError);
                    if (path is null)
                    {
                        reasons.Add(new VersionReason("location", "location-owned", $"Output '{output.Name}': {pathError}", "Keep the product's files in its own folder of the mesh repository."));
                    }

                    endpoints.Add((output.Name!, "csv", new { path }));
                    break;
                case "csv":
                    endpoints.Add((output.Name!, "csv", new { path = (string?)null }));
                    break;
                case "kafka":
                    var topic = output.Location ?? stream?.Document?.Channels.FirstOrDefault()?.Address;
                    if (topic is not null && LocationRules.Topic(topic, product.Id) is { } topicError)
                    {
                        reasons.Add(new VersionReason("location", "location-owned", $"Output '{output.Name}': {topicError}", "Name the channel's address '<domain>.<topic>'."));
                    }

                    endpoints.Add((output.Name!, "kafka", new { topic, provisioned = false }));
                    break;
                default:
                    // What publishing alone can say about where data lives; the storage plane fills in the rest.
                    endpoints.Add((output.Name!, output.Kind!, new { storageTemplate = output.StorageTemplate, provisioned = false }));
                    break;
            }
        }

        return new VersionStore.Verdict(reasons.Count == 0, reasons, changes, endpoints);
    }

    private static DataProductManifest Manifest(DataProductResponse product, IReadOnlyList<ProductOutputDto> outputs, bool hasStreamContract) => new(
        product.Id, product.Name, product.Domain, product.Owner, product.Description, product.BusinessUnit, product.Tags,
        Enum.TryParse<Classification>(product.Classification, true, out var classification) ? classification : null,
        Enum.TryParse<ProductStatus>(product.Status, true, out var status) ? status : ProductStatus.Active,
        [.. outputs.Select(o => new ProductOutput(
            o.Name!, Enum.Parse<OutputKind>(o.Kind!, ignoreCase: true), o.Location, o.StorageTemplate,
            "contract.yaml", hasStreamContract ? "stream-contract.yaml" : null, o.Transform, o.Source, SourceLocation.StartOf("request")))],
        [.. product.Inputs.Where(i => i.Product is not null).Select(i => new ProductInput(i.Product!, i.Output, SourceLocation.StartOf("request")))],
        SourceLocation.StartOf("request"),
        new Dictionary<string, SourceLocation>());
}
