using MeshInABox.Domain.Contracts;
using MeshInABox.Domain.Documents;
using MeshInABox.Domain.Governance;
using MeshInABox.Domain.Products;
using MeshInABox.Domain.Streams;

namespace MeshInABox.MeshRepository;

/// <summary>
/// Validates a mesh repo offline: <c>&lt;domain&gt;/&lt;product&gt;/dataproduct.json</c>
/// (or .yaml) per product, the contracts and data files it references, and each
/// domain's own <c>policies.yaml</c>. A malformed file is reported and the run
/// goes on to the rest.
/// </summary>
public static class MeshRepositoryValidator
{
    public static ValidationReport Validate(string root)
    {
        var fullRoot = Path.GetFullPath(root);
        if (!Directory.Exists(fullRoot))
        {
            return new ValidationReport(fullRoot, 0, 0,
                [Finding.Unreadable(new DocumentError(SourceLocation.StartOf(root), $"No mesh repo at {fullRoot}: the directory does not exist."))]);
        }

        var findings = new List<Finding>();
        using var transforms = new TransformAnalysis(fullRoot);
        var domainPolicies = new Dictionary<string, IReadOnlyList<IProductPolicy>>(StringComparer.Ordinal);
        var manifests = new List<(DataProductManifest Manifest, string Directory)>();
        var rulesEvaluated = 0;

        foreach (var manifestFile in FindManifests(fullRoot))
        {
            var directory = Path.GetDirectoryName(manifestFile)!;
            var result = ReadDocument(findings, fullRoot, manifestFile, ManifestReader.Read);
            if (result is null)
            {
                continue;
            }

            findings.AddRange(result.Errors.Select(e => Finding.From(new Violation("manifest-valid", Severity.Error, e.Message, "Fix the field as the message says; see docs/schemas/data-product-manifest.schema.json.", e.Location))));
            if (result.Manifest is not { } manifest)
            {
                continue;
            }

            manifests.Add((manifest, directory));
            var domainDirectory = Path.GetDirectoryName(directory)!;
            if (!domainPolicies.TryGetValue(domainDirectory, out var policies))
            {
                policies = LoadDomainPolicies(findings, fullRoot, domainDirectory);
                domainPolicies[domainDirectory] = policies;
            }

            var review = Review(findings, fullRoot, manifest, directory, transforms);
            foreach (var policy in GlobalPolicies.All.Concat(policies))
            {
                findings.AddRange(policy.Evaluate(review).Select(Finding.From));
                rulesEvaluated++;
            }
        }

        findings.AddRange(MeshWideChecks(manifests.Select(m => m.Manifest).ToList()));
        return new ValidationReport(fullRoot, manifests.Count, rulesEvaluated, [.. findings.OrderBy(f => f.Location.File, StringComparer.Ordinal).ThenBy(f => f.Location.Line).ThenBy(f => f.Location.Column)])
        {
            Lineage = transforms.Results,
        };
    }

    /// <summary>Checks across products: ids unique in the mesh, inputs that exist.</summary>
    private static IEnumerable<Finding> MeshWideChecks(IReadOnlyList<DataProductManifest> manifests)
    {
        foreach (var group in manifests.GroupBy(m => m.Id, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            var places = string.Join(", ", group.Select(m => m.Location.File));
            foreach (var manifest in group)
            {
                yield return Finding.From(new Violation("unique-id", Severity.Error,
                    $"Product id '{manifest.Id}' is used by {group.Count()} products: {places}.",
                    "Give each product its own id.", manifest.LocationOf("id")));
            }
        }

        var byId = manifests.GroupBy(m => m.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var manifest in manifests)
        {
            foreach (var input in manifest.Inputs)
            {
                if (!byId.TryGetValue(input.Product, out var upstream))
                {
                    yield return Finding.From(new Violation("inputs-exist", Severity.Error,
                        $"Input '{input.Product}' of '{manifest.Id}' is not a product of this mesh.",
                        "Fix the product id, or register the upstream product.", input.At));
                }
                else if (input.Output is not null && upstream.Outputs.All(o => o.Name != input.Output))
                {
                    yield return Finding.From(new Violation("inputs-exist", Severity.Error,
                        $"Input '{input.Product}' has no output '{input.Output}' (it has {string.Join(", ", upstream.Outputs.Select(o => o.Name))}).",
                        "Fix the output name.", input.At));
                }
            }
        }
    }

    private static ProductReview Review(List<Finding> findings, string root, DataProductManifest manifest, string directory, TransformAnalysis transforms)
    {
        var outputs = new List<OutputReview>();
        foreach (var output in manifest.Outputs)
        {
            ContractReader.Result? contract = null;
            string? contractProblem = null;
            if (output.Contract is { } contractPath)
            {
                (contract, contractProblem) = ReadReferenced(findings, root, directory, contractPath, "contract", ContractReader.Read);
            }

            AsyncApiDocument.Result? stream = null;
            string? streamProblem = null;
            if (output.StreamContract is { } streamPath)
            {
                // Its $refs may reach other files of the same domain (a shared messages file), never another domain's.
                var domainDirectory = Path.GetDirectoryName(directory)!;
                (stream, streamProblem) = ReadReferenced(findings, root, directory, streamPath, "AsyncAPI document",
                    (_, _) => AsyncApiDocument.ReadFile(Path.GetFullPath(Path.Combine(directory, streamPath)), domainDirectory, root));
            }

            var (data, dataProblem) = DataFor(root, directory, output);
            var (transformProblem, lineage) = output.Transform is { } transform ? transforms.Analyze(manifest, directory, output, transform) : (null, null);
            outputs.Add(new OutputReview(output, contract, contractProblem, stream, streamProblem, data, dataProblem, transformProblem, lineage));
        }

        return new ProductReview(manifest, outputs);
    }

    /// <summary>CSV outputs are checked at their location; other kinds at their source data, when it exists.</summary>
    private static (DataFile?, string?) DataFor(string root, string directory, ProductOutput output)
    {
        var relative = output.Kind == OutputKind.Csv ? output.Location : output.Source;
        if (relative is null)
        {
            return (null, null);
        }

        var path = Path.Combine(directory, relative);
        if (!File.Exists(path))
        {
            return (null, output.Kind == OutputKind.Csv ? $"CSV file '{relative}' does not exist." : null);
        }

        return (new DataFile(Display(root, path), () => new StreamReader(path)), null);
    }

    private static (T?, string?) ReadReferenced<T>(List<Finding> findings, string root, string directory, string relative, string what, Func<string, string, T> read)
        where T : class
    {
        var path = Path.GetFullPath(Path.Combine(directory, relative));
        if (!File.Exists(path))
        {
            return (null, $"{what} file '{relative}' does not exist.");
        }

        var result = ReadDocument(findings, root, path, read);
        return result is null ? (null, $"{what} file '{relative}' could not be read.") : (result, null);
    }

    private static T? ReadDocument<T>(List<Finding> findings, string root, string path, Func<string, string, T> read)
        where T : class
    {
        try
        {
            return read(File.ReadAllText(path), Display(root, path));
        }
        catch (DocumentParseException error)
        {
            findings.Add(Finding.Unreadable(error.Error));
            return null;
        }
        catch (IOException error)
        {
            findings.Add(Finding.Unreadable(new DocumentError(SourceLocation.StartOf(Display(root, path)), error.Message)));
            return null;
        }
        catch (ArgumentException error)
        {
            // A reference to a document outside the folder it may be read from.
            findings.Add(Finding.Unreadable(new DocumentError(SourceLocation.StartOf(Display(root, path)), error.Message)));
            return null;
        }
    }

    private static IReadOnlyList<IProductPolicy> LoadDomainPolicies(List<Finding> findings, string root, string domainDirectory)
    {
        var file = Path.Combine(domainDirectory, DomainPolicies.FileName);
        if (!File.Exists(file))
        {
            return [];
        }

        var result = ReadDocument(findings, root, file, DomainPolicies.Read);
        if (result is null)
        {
            return [];
        }

        findings.AddRange(result.Errors.Select(e => Finding.From(new Violation("domain-policies-valid", Severity.Error, e.Message, "Fix the domain's policies.yaml.", e.Location))));
        return result.Policies;
    }

    /// <summary>Every product manifest below a mesh repo root, in a stable order.</summary>
    public static IEnumerable<string> FindManifests(string root) =>
        Directory.EnumerateFiles(root, "dataproduct.*", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 4 })
            .Where(f => ManifestReader.FileNames.Contains(Path.GetFileName(f)))
            .Order(StringComparer.Ordinal);

    private static string Display(string root, string path) => Path.GetRelativePath(root, path);
}
