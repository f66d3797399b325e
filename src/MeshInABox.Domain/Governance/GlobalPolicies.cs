using System.Text.RegularExpressions;
using MeshInABox.Domain.Contracts;
using MeshInABox.Domain.Documents;
using MeshInABox.Domain.Products;

namespace MeshInABox.Domain.Governance;

/// <summary>The mesh-wide policies every product meets, in every domain.</summary>
public static partial class GlobalPolicies
{
    public static IReadOnlyList<IProductPolicy> All { get; } =
    [
        new Policy(new("description-meaningful", Severity.Error,
            "A product has a description that tells a consumer what it is.",
            "Write at least a sentence (5+ words) on what the data is and what it is for; not the name again, not TODO."),
            DescriptionMeaningful),
        new Policy(new("owner-present", Severity.Error,
            "A product names the team that owns it.",
            "Set 'owner' to the owning team's id, e.g. team-yellow."),
            OwnerPresent),
        new Policy(new("business-unit-present", Severity.Error,
            "A product names its business unit, so the mesh can be navigated by organisation.",
            "Set 'businessUnit', e.g. streaming, subscriptions, advertising."),
            BusinessUnitPresent),
        new Policy(new("classification-present", Severity.Error,
            "A product is classified open or restricted.",
            "Set 'classification' to open or restricted."),
            ClassificationPresent),
        new Policy(new("id-naming", Severity.Error,
            "A product id is <domain>.<name> in lower-case kebab case, and its domain part is the product's domain.",
            "Rename the id to '<domain>.<name>', e.g. content.catalogue."),
            IdNaming),
        new Policy(new("contract-present", Severity.Error,
            "Every output has a readable, valid ODCS contract (and kafka outputs an AsyncAPI document).",
            "Add 'contract: <file>.odcs.yaml' to the output and make the contract valid ODCS v3."),
            ContractPresent),
        new Policy(new("contract-semver", Severity.Error,
            "A contract's version is a semantic version.",
            "Use MAJOR.MINOR.PATCH, e.g. 1.0.0."),
            ContractSemVer),
        new Policy(new("pii-restricted", Severity.Error,
            "A product that publishes personal or sensitive data is classified restricted.",
            "Set the product's classification to restricted, or remove the sensitive property."),
            PiiRestricted),
        new Policy(new("csv-present", Severity.Error,
            "A CSV output's file exists (and declared transforms too).",
            "Add the file at the output's 'location', or fix the path."),
            CsvPresent),
        new Policy(new("csv-header", Severity.Error,
            "A CSV file's header names exactly the contract's properties.",
            "Make the header match the contract's properties, or update the contract (with a version bump)."),
            CsvHeader),
        new Policy(new("csv-values", Severity.Error,
            "A CSV file's values parse as the contract's logical types, required values are present and allowed values respected.",
            "Fix the values, or change the contract's type (with a version bump)."),
            CsvValues),
        new Policy(new("stream-contract", Severity.Error,
            "A kafka output's AsyncAPI document is valid and its messages require what the ODCS contract requires.",
            "Add 'streamContract: <file>.asyncapi.yaml' and list the contract's required properties in the payload's 'required'."),
            StreamContract),
        new Policy(new("transform-sql-valid", Severity.Error,
            "An output's transform is one SQL statement, in the product's folder, that parses and binds against the mesh's contracts: every table and column it names is a product output's.",
            "Fix the SQL at the position given (DuckDB's message says what it expected), or the table or column name; a table is <domain>.<product_with_underscores>.<output>."),
            TransformSqlValid),
        new Policy(new("transform-lineage-determined", Severity.Warning,
            "A transform's lineage is fully determined, so the registry can tell which columns each output column comes from.",
            "Read products by their table names (<domain>.<product>.<output>) instead of files, or accept that this part of the lineage stays unknown."),
            TransformLineageDetermined),
        new Policy(new("transform-inputs-declared", Severity.Error,
            "Every product a transform reads is listed in the manifest's inputs, so its owners know who depends on it.",
            "Add the product (and output) to 'inputs', or stop reading it."),
            TransformInputsDeclared),
        new Policy(new("inputs-read", Severity.Warning,
            "Every input a product declares is read by its transforms (checked when every output is computed by a transform whose lineage is known).",
            "Remove the input from 'inputs', or read it in the transform that needs it."),
            InputsRead),
    ];

    private static readonly string[] Placeholders = ["todo", "tbd", "tbc", "lorem ipsum", "description", "fixme", "n/a", "..."];

    private static readonly HashSet<string> SensitiveClassifications =
        new(["pii", "personal", "sensitive", "restricted", "confidential", "secret"], StringComparer.OrdinalIgnoreCase);

    private static IEnumerable<Violation> DescriptionMeaningful(PolicyInfo policy, ProductReview review)
    {
        var manifest = review.Manifest;
        var text = manifest.Description.Trim();
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        var reason = text.Length == 0 ? "has no description"
            : Placeholders.Any(p => text.Equals(p, StringComparison.OrdinalIgnoreCase) || text.StartsWith(p + " ", StringComparison.OrdinalIgnoreCase))
                ? $"has a placeholder description ('{text}')"
            : string.Equals(text, manifest.Name, StringComparison.OrdinalIgnoreCase) ? "repeats its name as its description"
            : words < 5 ? $"has a description of {words} word(s), too short to tell a consumer what it is"
            : null;
        if (reason is not null)
        {
            yield return Violation.Of(policy, $"Product '{manifest.Id}' {reason}.", manifest.LocationOf("description"));
        }
    }

    private static IEnumerable<Violation> OwnerPresent(PolicyInfo policy, ProductReview review)
    {
        if (string.IsNullOrWhiteSpace(review.Manifest.Owner))
        {
            yield return Violation.Of(policy, $"Product '{review.Manifest.Id}' has no owner.", review.Manifest.LocationOf("owner"));
        }
    }

    private static IEnumerable<Violation> BusinessUnitPresent(PolicyInfo policy, ProductReview review)
    {
        if (string.IsNullOrWhiteSpace(review.Manifest.BusinessUnit))
        {
            yield return Violation.Of(policy, $"Product '{review.Manifest.Id}' has no business unit.", review.Manifest.LocationOf("businessUnit"));
        }
    }

    private static IEnumerable<Violation> ClassificationPresent(PolicyInfo policy, ProductReview review)
    {
        if (review.Manifest.Classification is null)
        {
            yield return Violation.Of(policy, $"Product '{review.Manifest.Id}' is not classified.", review.Manifest.LocationOf("classification"));
        }
    }

    private static IEnumerable<Violation> IdNaming(PolicyInfo policy, ProductReview review)
    {
        var manifest = review.Manifest;
        if (!ProductId().IsMatch(manifest.Id))
        {
            yield return Violation.Of(policy, $"Product id '{manifest.Id}' is not '<domain>.<name>' in lower-case kebab case.", manifest.LocationOf("id"));
        }
        else if (!manifest.Id.StartsWith(manifest.Domain + ".", StringComparison.Ordinal))
        {
            yield return Violation.Of(policy, $"Product id '{manifest.Id}' does not start with its domain '{manifest.Domain}.'.", manifest.LocationOf("id"));
        }
    }

    private static IEnumerable<Violation> ContractPresent(PolicyInfo policy, ProductReview review)
    {
        foreach (var output in review.Outputs)
        {
            if (output.Output.Contract is null)
            {
                yield return Violation.Of(policy, $"Output '{output.Output.Name}' has no contract.", output.Output.At);
            }
            else if (output.ContractProblem is not null)
            {
                yield return Violation.Of(policy, $"Output '{output.Output.Name}': {output.ContractProblem}", output.Output.At);
            }
            else if (output.Contract is { } read)
            {
                // SemVer problems belong to contract-semver; the standard's own say on 'version' stays here.
                foreach (var error in read.Errors.Where(e => e.Rule != ContractReader.SemVerRule))
                {
                    yield return Violation.Of(policy, $"Contract of output '{output.Output.Name}' is not valid ODCS: {(error.Path is null ? "" : error.Path + ": ")}{error.Message}", error.Location);
                }
            }
        }
    }

    private static IEnumerable<Violation> ContractSemVer(PolicyInfo policy, ProductReview review) =>
        from output in review.Outputs
        where output.Contract is not null
        from error in output.Contract!.Errors.Where(e => e.Rule == ContractReader.SemVerRule)
        select Violation.Of(policy, error.Message, error.Location);

    private static IEnumerable<Violation> PiiRestricted(PolicyInfo policy, ProductReview review)
    {
        if (review.Manifest.Classification == Classification.Restricted)
        {
            yield break;
        }

        foreach (var output in review.Outputs.Where(o => o.Contract is not null))
        {
            foreach (var (path, property) in output.Contract!.Contract.AllProperties())
            {
                var sensitive = property.Classification is { } c && SensitiveClassifications.Contains(c)
                    || property.Tags.Any(t => t.Equals("pii", StringComparison.OrdinalIgnoreCase));
                if (sensitive)
                {
                    yield return Violation.Of(policy,
                        $"'{path}' is {property.Classification ?? "tagged pii"}, but product '{review.Manifest.Id}' is classified {review.Manifest.Classification?.ToString().ToLowerInvariant() ?? "(none)"}.",
                        property.At);
                }
            }
        }
    }

    private static IEnumerable<Violation> CsvPresent(PolicyInfo policy, ProductReview review)
    {
        foreach (var output in review.Outputs)
        {
            if (output.Output.Kind == OutputKind.Csv && output.Output.Location is null)
            {
                yield return Violation.Of(policy, $"CSV output '{output.Output.Name}' has no 'location'.", output.Output.At);
            }
            else if (output.DataProblem is not null)
            {
                yield return Violation.Of(policy, $"Output '{output.Output.Name}': {output.DataProblem}", output.Output.At);
            }

            if (output.TransformProblem is not null)
            {
                yield return Violation.Of(policy, $"Output '{output.Output.Name}': {output.TransformProblem}", output.Output.At);
            }
        }
    }

    private static IEnumerable<Violation> CsvHeader(PolicyInfo policy, ProductReview review) =>
        from output in review.Outputs
        where output.Data is not null && ContractObject(output) is not null
        from problem in CsvCheck.Header(output.Data!, ContractObject(output)!)
        select Violation.Of(policy, problem.Message, problem.At);

    private static IEnumerable<Violation> CsvValues(PolicyInfo policy, ProductReview review) =>
        from output in review.Outputs
        where output.Data is not null && ContractObject(output) is not null
        from problem in CsvCheck.Values(output.Data!, ContractObject(output)!)
        select Violation.Of(policy, problem.Message, problem.At);

    private static IEnumerable<Violation> StreamContract(PolicyInfo policy, ProductReview review)
    {
        foreach (var output in review.Outputs.Where(o => o.Output.Kind == OutputKind.Kafka))
        {
            if (output.Output.StreamContract is null)
            {
                yield return Violation.Of(policy, $"Kafka output '{output.Output.Name}' has no AsyncAPI document ('streamContract').", output.Output.At);
                continue;
            }

            if (output.StreamProblem is not null)
            {
                yield return Violation.Of(policy, $"Output '{output.Output.Name}': {output.StreamProblem}", output.Output.At);
                continue;
            }

            foreach (var error in output.Stream!.Errors)
            {
                yield return Violation.Of(policy, $"AsyncAPI document of '{output.Output.Name}' is not valid: {error.Path}: {error.Message}", error.Location);
            }

            if (output.Stream.Document is not { } stream || ContractObject(output) is not { } schemaObject)
            {
                continue;
            }

            foreach (var message in stream.Channels.SelectMany(c => c.Messages))
            {
                foreach (var property in schemaObject.Properties.Where(p => p.Required && !message.RequiredFields.Contains(p.Name)))
                {
                    yield return Violation.Of(policy,
                        $"Message '{message.Name}' does not require '{property.Name}', which the contract requires.", message.At);
                }
            }
        }
    }

    private static IEnumerable<Violation> TransformSqlValid(PolicyInfo policy, ProductReview review) =>
        from output in review.Outputs
        where output.Lineage?.Error is not null
        select Violation.Of(policy, $"Transform of output '{output.Output.Name}': {output.Lineage!.Error!.Message}", output.Lineage.Error.At);

    private static IEnumerable<Violation> TransformLineageDetermined(PolicyInfo policy, ProductReview review) =>
        from output in review.Outputs
        where output.Lineage is { Error: null, Undetermined: not null }
        select Violation.Of(policy, $"Transform of output '{output.Output.Name}': {output.Lineage!.Undetermined}", SourceLocation.StartOf(output.Lineage.File));

    private static IEnumerable<Violation> TransformInputsDeclared(PolicyInfo policy, ProductReview review)
    {
        var manifest = review.Manifest;
        foreach (var output in review.Outputs.Where(o => o.Lineage is { Error: null }))
        {
            // A product reading its own outputs depends on no one else.
            foreach (var source in output.Lineage!.Sources.Where(s => s.Product is not null && s.Product != manifest.Id).DistinctBy(s => s.Table))
            {
                if (!manifest.Inputs.Any(i => Covers(i, source)))
                {
                    yield return Violation.Of(policy,
                        $"Transform of output '{output.Output.Name}' reads {source.Table} (output '{source.Output}' of {source.Product}), which the manifest does not list in inputs.",
                        source.At);
                }
            }
        }
    }

    private static IEnumerable<Violation> InputsRead(PolicyInfo policy, ProductReview review)
    {
        // An output computed otherwise (code, a stream) may be what reads an input: only transforms tell.
        if (review.Outputs.Count == 0 || review.Outputs.Any(o => o.Lineage is not { Determined: true }))
        {
            yield break;
        }

        var sources = review.Outputs.SelectMany(o => o.Lineage!.Sources).ToList();
        foreach (var input in review.Manifest.Inputs.Where(i => !sources.Any(s => Covers(i, s))))
        {
            var what = input.Output is null ? input.Product : $"{input.Product} (output '{input.Output}')";
            yield return Violation.Of(policy, $"Input {what} is declared, but no transform of '{review.Manifest.Id}' reads it.", input.At);
        }
    }

    private static bool Covers(ProductInput input, TransformSource source) =>
        input.Product == source.Product && (input.Output is null || string.Equals(input.Output, source.Output, StringComparison.OrdinalIgnoreCase));

    /// <summary>The contract object describing an output: the one named like it, or the only one.</summary>
    internal static SchemaObject? ContractObject(OutputReview output) => output.Contract?.Contract.ObjectFor(output.Output.Name);

    [GeneratedRegex(@"^[a-z][a-z0-9]*(-[a-z0-9]+)*\.[a-z][a-z0-9]*(-[a-z0-9]+)*$")]
    private static partial Regex ProductId();

    private sealed class Policy(PolicyInfo info, Func<PolicyInfo, ProductReview, IEnumerable<Violation>> evaluate) : IProductPolicy
    {
        public PolicyInfo Info => info;

        public IEnumerable<Violation> Evaluate(ProductReview review) => evaluate(info, review);
    }
}
