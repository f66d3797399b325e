using MeshInABox.Domain.Documents;
using MeshInABox.Domain.Governance;
using MeshInABox.Domain.Products;
using MeshInABox.Domain.Versioning;
using MeshInABox.Registry.Locations;
using MeshInABox.Registry.Products;

namespace MeshInABox.Registry.Publishing;

/// <summary>
/// Decides a version: the contract must be valid ODCS, the product with this
/// version's outputs must meet the mesh's policies, and the version number
/// must move as far as the changes since the previous active version require.
/// The outputs are those <see cref="Apis.VersionOutputs"/> decided when the version was submitted.
/// </summary>
public static class VersionValidator
{
    public static Verdict Decide(RegisteredProduct product, PublishedVersion version, VersionDocuments documents, LocationRules locations)
    {
        var read = documents.Contract;
        var reasons = new List<RejectionReason>();
        reasons.AddRange(read.Errors.Select(e => new RejectionReason("contract", "odcs", $"{(e.Path is null ? "" : e.Path + ": ")}{e.Message}", null, e.Location.Line, e.Location.Column)));

        var stream = documents.Stream;
        var manifest = Manifest(product, version.Outputs, stream is not null);
        var review = new ProductReview(manifest, [.. manifest.Outputs.Select(o => new OutputReview(o, read, null, o.Kind == OutputKind.Kafka ? stream : null, null, null, null, null))]);
        foreach (var violation in GlobalPolicies.All.SelectMany(p => p.Evaluate(review)).Where(v => v.Severity == Severity.Error))
        {
            // Contract errors are already listed; policies restate them.
            if (violation.PolicyId is not ("contract-present" or "contract-semver") || read.Errors.Count == 0)
            {
                reasons.Add(new RejectionReason("policy", violation.PolicyId, violation.Message, violation.Fix, violation.Location.Line, violation.Location.Column));
            }
        }

        var changes = new List<ContractChange>();
        if (documents.Previous is { Version: not null } previous && read.Contract.Version is not null)
        {
            var check = VersionCheck.Of(previous, read.Contract);
            changes.AddRange(check.Changes);
            if (!check.Allowed)
            {
                reasons.Add(new RejectionReason("version", "semver-bump", check.Verdict, "Publish under a version number that moves as far as the changes require."));
            }
        }

        var endpoints = new List<EndpointLocation>();
        foreach (var output in version.Outputs)
        {
            // Checked again here: the product's folder or the stream contract may have changed since the request.
            switch (output.Kind)
            {
                case OutputKind.Csv when output.Location is not null:
                    var path = locations.File(output.Location, product.Id, out var pathError);
                    if (path is null)
                    {
                        reasons.Add(new RejectionReason("location", "location-owned", $"Output '{output.Name}': {pathError}", "Keep the product's files in its own folder of the mesh repository."));
                    }

                    endpoints.Add(new EndpointLocation(output.Name, OutputKind.Csv, new { path }));
                    break;
                case OutputKind.Csv:
                    endpoints.Add(new EndpointLocation(output.Name, OutputKind.Csv, new { path = (string?)null }));
                    break;
                case OutputKind.Kafka:
                    var topic = output.Location ?? stream?.Document?.Channels.FirstOrDefault()?.Address;
                    if (topic is not null && LocationRules.Topic(topic, product.Id) is { } topicError)
                    {
                        reasons.Add(new RejectionReason("location", "location-owned", $"Output '{output.Name}': {topicError}", "Name the channel's address '<domain>.<topic>'."));
                    }

                    endpoints.Add(new EndpointLocation(output.Name, OutputKind.Kafka, new { topic, provisioned = false }));
                    break;
                default:
                    // What publishing alone can say about where data lives; the storage plane fills in the rest.
                    endpoints.Add(new EndpointLocation(output.Name, output.Kind, new { storageTemplate = output.StorageTemplate, provisioned = false }));
                    break;
            }
        }

        return new Verdict(reasons, changes, endpoints);
    }

    /// <summary>The product as the policies read it, with the outputs this version publishes.</summary>
    private static DataProductManifest Manifest(RegisteredProduct product, IReadOnlyList<RegisteredOutput> outputs, bool hasStreamContract) => new(
        product.Id, product.Name, product.Domain, product.Owner, product.Description, product.BusinessUnit, product.Tags,
        product.Classification, product.Status,
        [.. outputs.Select(o => new ProductOutput(
            o.Name, o.Kind, o.Location, o.StorageTemplate,
            "contract.yaml", hasStreamContract ? "stream-contract.yaml" : null, o.Transform, o.Source, SourceLocation.StartOf("request")))],
        [.. product.Inputs.Select(i => new ProductInput(i.Product, i.Output, SourceLocation.StartOf("request")))],
        SourceLocation.StartOf("request"),
        new Dictionary<string, SourceLocation>());
}
