using MeshInABox.Domain.Documents;
using YamlDotNet.RepresentationModel;

namespace MeshInABox.Domain.Governance;

/// <summary>
/// Policies a domain adds for its own products, written as data in
/// <c>&lt;domain&gt;/policies.yaml</c> (federated governance: the domain decides, the platform enforces).
/// </summary>
/// <example>
/// policies:
///   - id: content.freshness
///     severity: error
///     summary: Content products promise how fresh they are.
///     fix: Add a 'latency' SLA property to every contract.
///     require:
///       slaProperties: [latency]
/// </example>
public static class DomainPolicies
{
    public const string FileName = "policies.yaml";

    public static readonly IReadOnlyList<string> Requirements =
        ["tags", "slaProperties", "propertyDescriptions", "classification", "outputKinds", "contractStatus"];

    public sealed record Result(IReadOnlyList<IProductPolicy> Policies, IReadOnlyList<DocumentError> Errors);

    /// <exception cref="DocumentParseException">The text is not well-formed YAML.</exception>
    public static Result Read(string text, string file)
    {
        var root = StructuredText.ParseMapping(text, file);
        var reader = new NodeReader(file);
        var policies = new List<IProductPolicy>();
        foreach (var (item, path) in reader.Mappings(reader.Sequence(root, "policies", "", required: true), "policies"))
        {
            var id = reader.String(item, "id", path, required: true);
            var severityText = reader.String(item, "severity", path) ?? "error";
            if (!Enum.TryParse<Severity>(severityText, ignoreCase: true, out var severity))
            {
                reader.Error(NodeReader.Child(item, "severity")!, NodeReader.Join(path, "severity"), $"'{severityText}' is not a severity: use error or warning.");
            }

            var summary = reader.String(item, "summary", path, required: true);
            var fix = reader.String(item, "fix", path, required: true);
            var require = reader.Mapping(item, "require", path);
            if (require is null)
            {
                reader.Error(item, NodeReader.Join(path, "require"), $"'require' is required: one or more of {string.Join(", ", Requirements)}.");
                continue;
            }

            foreach (var key in require.Children.Keys.OfType<YamlScalarNode>().Where(k => !Requirements.Contains(k.Value!)))
            {
                reader.Error(key, NodeReader.Join(path, "require." + key.Value), $"Unknown requirement '{key.Value}': use {string.Join(", ", Requirements)}.");
            }

            var requirePath = NodeReader.Join(path, "require");
            var rule = new Requirement(
                reader.Strings(require, "tags", requirePath),
                reader.Strings(require, "slaProperties", requirePath),
                reader.Bool(require, "propertyDescriptions", requirePath) ?? false,
                reader.String(require, "classification", requirePath),
                reader.Strings(require, "outputKinds", requirePath),
                reader.Strings(require, "contractStatus", requirePath));
            if (id is not null && summary is not null && fix is not null)
            {
                policies.Add(new DeclarativePolicy(new PolicyInfo(id, severity, summary, fix), rule));
            }
        }

        return new Result(policies, reader.Errors);
    }

    private sealed record Requirement(
        IReadOnlyList<string> Tags,
        IReadOnlyList<string> SlaProperties,
        bool PropertyDescriptions,
        string? Classification,
        IReadOnlyList<string> OutputKinds,
        IReadOnlyList<string> ContractStatus);

    private sealed class DeclarativePolicy(PolicyInfo info, Requirement rule) : IProductPolicy
    {
        public PolicyInfo Info => info;

        public IEnumerable<Violation> Evaluate(ProductReview review)
        {
            var manifest = review.Manifest;
            foreach (var tag in rule.Tags.Where(t => !manifest.Tags.Contains(t, StringComparer.OrdinalIgnoreCase)))
            {
                yield return Violation.Of(info, $"Product '{manifest.Id}' lacks the tag '{tag}'.", manifest.LocationOf("tags"));
            }

            if (rule.Classification is { } wanted && !string.Equals(manifest.Classification?.ToString(), wanted, StringComparison.OrdinalIgnoreCase))
            {
                yield return Violation.Of(info, $"Product '{manifest.Id}' must be classified {wanted}.", manifest.LocationOf("classification"));
            }

            foreach (var output in review.Outputs)
            {
                if (rule.OutputKinds.Count > 0 && !rule.OutputKinds.Contains(output.Output.Kind.ToString(), StringComparer.OrdinalIgnoreCase))
                {
                    yield return Violation.Of(info, $"Output '{output.Output.Name}' is {output.Output.Kind.ToString().ToLowerInvariant()}; this domain allows {string.Join(", ", rule.OutputKinds)}.", output.Output.At);
                }

                if (output.Contract?.Contract is not { } contract)
                {
                    continue;
                }

                foreach (var sla in rule.SlaProperties.Where(p => !contract.Sla.Any(s => string.Equals(s.Property, p, StringComparison.OrdinalIgnoreCase))))
                {
                    yield return Violation.Of(info, $"Contract of '{output.Output.Name}' declares no '{sla}' SLA property.", contract.LocationOf("slaProperties"));
                }

                if (rule.ContractStatus.Count > 0 && !rule.ContractStatus.Contains(contract.Status ?? "", StringComparer.OrdinalIgnoreCase))
                {
                    yield return Violation.Of(info, $"Contract of '{output.Output.Name}' has status '{contract.Status}'; expected {string.Join(" or ", rule.ContractStatus)}.", contract.LocationOf("status"));
                }

                if (rule.PropertyDescriptions)
                {
                    foreach (var (path, property) in contract.AllProperties().Where(p => string.IsNullOrWhiteSpace(p.Property.Description)))
                    {
                        yield return Violation.Of(info, $"'{path}' has no description.", property.At);
                    }
                }
            }
        }
    }
}
