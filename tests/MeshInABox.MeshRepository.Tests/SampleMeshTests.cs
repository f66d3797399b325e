using MeshInABox.Domain.Governance;
using MeshInABox.Domain.Products;
using MeshInABox.Domain.Streams;
using MeshInABox.MeshRepository.Samples;
using MeshInABox.Testing;
using NJsonSchema;

namespace MeshInABox.MeshRepository.Tests;

public sealed class SampleMeshTests : IDisposable
{
    private readonly string _copy = TemporaryDirectory.Create("mesh-sample-");

    public void Dispose() => Directory.Delete(_copy, recursive: true);

    [Fact]
    public void Validate_SampleMesh_IsClean()
    {
        var report = MeshRepositoryValidator.Validate(RepositoryLayout.SampleMesh);

        Assert.Empty(report.Findings);
        Assert.Equal(ValidationReport.Clean, report.ExitCode);
        Assert.True(report.Products >= 6, $"{report.Products} products");
        // Clean because every rule ran and passed: each product met every global policy and its domain's own.
        Assert.Equal(ExpectedRuleEvaluations(RepositoryLayout.SampleMesh), report.RulesEvaluated);
    }

    /// <summary>Each product against every global policy and each rule of its domain's policies.yaml, counted from the files.</summary>
    private static int ExpectedRuleEvaluations(string mesh) =>
        MeshRepositoryValidator.FindManifests(mesh).Sum(manifest =>
        {
            var policies = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(manifest)!)!, DomainPolicies.FileName);
            var domainRules = File.Exists(policies) ? DomainPolicies.Read(File.ReadAllText(policies), policies).Policies.Count : 0;
            Assert.True(domainRules > 0, $"{policies} holds no rule");
            return GlobalPolicies.All.Count + domainRules;
        });

    [Fact]
    public void Validate_SampleMeshWithGeneratedImpressions_IsClean()
    {
        var mesh = RepositoryLayout.CopySampleMesh(_copy);
        AdImpressionsGenerator.Write(Path.Combine(mesh, AdImpressionsGenerator.RelativePath), 20_000);

        var report = MeshRepositoryValidator.Validate(mesh);

        Assert.Empty(report.Findings);
        Assert.Equal(ExpectedRuleEvaluations(mesh), report.RulesEvaluated);
    }

    [Fact]
    public void Generate_SameRowCount_WritesTheSameBytes()
    {
        var first = Path.Combine(_copy, "a.csv");
        var second = Path.Combine(_copy, "b.csv");

        AdImpressionsGenerator.Write(first, 5_000);
        AdImpressionsGenerator.Write(second, 5_000);

        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
        Assert.Equal(5_001, File.ReadLines(first).Count());
    }

    [Fact]
    public void SampleMesh_HasThreeDomainsSixProductsAndSqlDerivedProducts()
    {
        var manifests = Directory.EnumerateFiles(RepositoryLayout.SampleMesh, "dataproduct.json", SearchOption.AllDirectories)
            .Select(f => ManifestReader.Read(File.ReadAllText(f), f).Manifest!)
            .ToList();

        Assert.True(manifests.Select(m => m.Domain).Distinct().Count() >= 3);
        Assert.True(manifests.Count >= 6);
        Assert.True(manifests.Count(m => m.Inputs.Count > 0 && m.Outputs.Any(o => o.Transform is not null)) >= 2);
    }

    [Fact]
    public async Task Manifests_ConformToThePublishedJsonSchema()
    {
        var ct = TestContext.Current.CancellationToken;
        var schema = await JsonSchema.FromFileAsync(Path.Combine(RepositoryLayout.Docs, "schemas", "data-product-manifest.schema.json"), ct);

        foreach (var file in Directory.EnumerateFiles(RepositoryLayout.SampleMesh, "dataproduct.json", SearchOption.AllDirectories))
        {
            var errors = schema.Validate(await File.ReadAllTextAsync(file, ct));
            Assert.True(errors.Count == 0, $"{file}: {string.Join(", ", errors)}");
        }

        var broken = """{"id": "Not An Id", "name": "x", "domain": "d", "owner": "o", "outputs": [{"name": "t", "kind": "parquet"}], "colour": 1}""";
        var kinds = schema.Validate(broken).Select(e => e.Kind.ToString()).ToList();
        Assert.Contains("PatternMismatch", kinds);
        Assert.Contains("NoAdditionalPropertiesAllowed", kinds);
        Assert.Contains(schema.Validate(broken), e => e.Path?.Contains("outputs", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void SubscriptionEventExamples_ConformToTheStreamContract()
    {
        var product = Path.Combine(RepositoryLayout.SampleMesh, "subscriptions", "subscription-events");
        var document = AsyncApiDocument.Read(File.ReadAllText(Path.Combine(product, "contracts", "subscription-events.asyncapi.yaml")), "events.asyncapi.yaml").Document!;

        foreach (var line in File.ReadLines(Path.Combine(product, "examples", "events.jsonl")))
        {
            Assert.Empty(document.ValidatePayload("subscriptions.subscription-changed.v1", line));
        }

        Assert.NotEmpty(document.ValidatePayload("subscriptionChanged", """{"event_id":"x","subscriber_id":"someone","change":"paused","plan_id":"basic","occurred_at":"2026-11-02T09:15:00Z"}"""));
    }
}
