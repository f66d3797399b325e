using MeshInABox.Domain.Governance;
using MeshInABox.Testing;

namespace MeshInABox.MeshRepository.Tests;

/// <summary>The sample mesh, broken one way at a time: each break is found, positioned, with the right exit code.</summary>
public sealed class BrokenMeshTests : IDisposable
{
    private readonly string _mesh;

    public BrokenMeshTests()
    {
        _mesh = RepositoryLayout.CopySampleMesh(TemporaryDirectory.Create("mesh-broken-"));
    }

    public void Dispose() => Directory.Delete(_mesh, recursive: true);

    [Fact]
    public void Validate_MalformedManifest_IsReportedAndTheRestIsStillChecked()
    {
        Write("content/catalogue/dataproduct.json", "{\n  \"id\": \"content.catalogue\",\n  \"name\": \"x\" \"y\"\n}");
        Edit("subscriptions/plans/dataproduct.json", "\"owner\": \"team-green\"", "\"owner\": \"\"");

        var report = MeshRepositoryValidator.Validate(_mesh);

        Assert.Equal(ValidationReport.UnreadableInput, report.ExitCode);
        var unreadable = Assert.Single(report.Findings, f => f.Kind == FindingKind.Unreadable);
        Assert.Equal(("content/catalogue/dataproduct.json", 3, 15), (unreadable.Location.File, unreadable.Location.Line, unreadable.Location.Column));
        Assert.Contains(report.Findings, f => f.PolicyId == "owner-present" && f.Location.File == "subscriptions/plans/dataproduct.json");
    }

    [Fact]
    public void Validate_MalformedContractYaml_IsUnreadable()
    {
        Write("content/viewing-sessions/contracts/sessions.odcs.yaml", "apiVersion: v3.1.0\nschema:\n  - name: [sessions\n");

        var report = MeshRepositoryValidator.Validate(_mesh);

        Assert.Equal(ValidationReport.UnreadableInput, report.ExitCode);
        Assert.Contains(report.Findings, f => f.Kind == FindingKind.Unreadable && f.Location.File == "content/viewing-sessions/contracts/sessions.odcs.yaml");
    }

    [Fact]
    public void Validate_ContractNestedBeyondTheDepthLimit_IsUnreadableAtItsLine_AndTheRestIsStillChecked()
    {
        Write("content/viewing-sessions/contracts/sessions.odcs.yaml", "apiVersion: v3.1.0\nschema: " + new string('[', 100_000) + "\n");
        Edit("subscriptions/plans/dataproduct.json", "\"owner\": \"team-green\"", "\"owner\": \"\"");

        var report = MeshRepositoryValidator.Validate(_mesh);

        Assert.Equal(ValidationReport.UnreadableInput, report.ExitCode);
        var unreadable = Assert.Single(report.Findings, f => f.Kind == FindingKind.Unreadable);
        Assert.Equal(("content/viewing-sessions/contracts/sessions.odcs.yaml", 2), (unreadable.Location.File, unreadable.Location.Line));
        Assert.Contains("limit: depth 64", unreadable.Message);
        Assert.Contains(report.Findings, f => f.PolicyId == "owner-present");
    }

    [Theory]
    [InlineData("subscriptions/plans/contracts/plans.odcs.yaml", "apiVersion: v3.1.0", "apiVersion: v4.0.0", "contract-present", 1, "Unknown ODCS apiVersion 'v4.0.0'")]
    [InlineData("subscriptions/plans/contracts/plans.odcs.yaml", "kind: DataContract", "kind: DataProduct", "contract-present", 2, "kind must be 'DataContract'")]
    [InlineData("subscriptions/plans/contracts/plans.odcs.yaml", "version: 2.0.0", "version: 2.0", "contract-semver", 5, "'2.0' is not a semantic version")]
    [InlineData("subscriptions/subscribers/dataproduct.json", "\"restricted\"", "\"open\"", "pii-restricted", 0, "'subscribers.email' is pii")]
    [InlineData("content/catalogue/data/titles.csv", "title_id,title,kind", "title_id,kind", "csv-header", 1, "no column 'title'")]
    [InlineData("content/catalogue/dataproduct.json", "\"businessUnit\": \"streaming\",", "", "business-unit-present", 0, "has no business unit")]
    [InlineData("content/popular-titles/dataproduct.json", "\"product\": \"content.catalogue\"", "\"product\": \"content.catalog\"", "inputs-exist", 0, "'content.catalog' of 'content.popular-titles' is not a product")]
    [InlineData("content/catalogue/contracts/titles.odcs.yaml", "  - property: latency\n    value: 1\n    unit: d\n", "", "content.freshness-promised", 0, "declares no 'latency' SLA property")]
    [InlineData("advertising/ad-impressions/dataproduct.json", "\"kind\": \"lakehouse\"", "\"kind\": \"csv\", \"location\": \"data/impressions.csv\"", "advertising.no-csv", 0, "this domain allows postgres, lakehouse, kafka")]
    public void Validate_EachBreak_IsFoundWithItsPolicyAndPosition(string file, string find, string replace, string policy, int line, string message)
    {
        Edit(file, find, replace);

        var report = MeshRepositoryValidator.Validate(_mesh);

        var finding = Assert.Single(report.Findings, f => f.PolicyId == policy);
        Assert.Contains(message, finding.Message);
        if (line > 0)
        {
            Assert.Equal((file, line), (finding.Location.File, finding.Location.Line));
        }

        Assert.Equal(ValidationReport.PolicyViolations, report.ExitCode);
    }

    [Fact]
    public void Validate_BadValueDeepInACsv_NamesItsLine()
    {
        var lines = File.ReadAllLines(Path.Combine(_mesh, "content/viewing-sessions/data/sessions.csv"));
        lines[1500] = lines[1500].Replace(",tv", ",toaster", StringComparison.Ordinal).Replace(",mobile", ",toaster", StringComparison.Ordinal)
            .Replace(",web", ",toaster", StringComparison.Ordinal).Replace(",tablet", ",toaster", StringComparison.Ordinal);
        File.WriteAllLines(Path.Combine(_mesh, "content/viewing-sessions/data/sessions.csv"), lines);

        var finding = Assert.Single(MeshRepositoryValidator.Validate(_mesh).Findings);

        Assert.Equal(("csv-values", 1501), (finding.PolicyId, finding.Location.Line));
        Assert.Contains("'toaster' is not an allowed value", finding.Message);
    }

    [Fact]
    public void Validate_DuplicateProductIds_AreReportedAtEachManifest()
    {
        Directory.CreateDirectory(Path.Combine(_mesh, "content", "catalogue-copy"));
        File.Copy(Path.Combine(_mesh, "content/catalogue/dataproduct.json"), Path.Combine(_mesh, "content/catalogue-copy/dataproduct.json"));

        var duplicates = MeshRepositoryValidator.Validate(_mesh).Findings.Where(f => f.PolicyId == "unique-id").ToList();

        Assert.Equal(["content/catalogue-copy/dataproduct.json", "content/catalogue/dataproduct.json"], duplicates.Select(d => d.Location.File));
        Assert.All(duplicates, d => Assert.Equal(Severity.Error, d.Severity));
    }

    [Fact]
    public void Validate_MissingDirectory_IsUnreadable()
    {
        var report = MeshRepositoryValidator.Validate(Path.Combine(_mesh, "nowhere"));

        Assert.Equal(ValidationReport.UnreadableInput, report.ExitCode);
    }

    /// <summary>The stream contract's payload schema moved to a file the domain shares, then pointed at another domain's copy.</summary>
    [Fact]
    public void Validate_StreamContractRefs_FollowTheDomainsOwnFiles_AndNoOtherDomains()
    {
        const string streamContract = "subscriptions/subscription-events/contracts/subscription-events.asyncapi.yaml";
        var text = File.ReadAllText(Path.Combine(_mesh, streamContract));
        var schemaAt = text.IndexOf("  schemas:\n", StringComparison.Ordinal);
        Assert.True(schemaAt > 0);
        var schema = "SubscriptionChanged:" + text[(schemaAt + "  schemas:\n    SubscriptionChanged:".Length)..].Replace("\n    ", "\n", StringComparison.Ordinal);
        Directory.CreateDirectory(Path.Combine(_mesh, "subscriptions", "shared"));
        Write("subscriptions/shared/schemas.yaml", schema);
        Write(streamContract, text[..schemaAt].Replace("'#/components/schemas/SubscriptionChanged'", "'../../shared/schemas.yaml#/SubscriptionChanged'", StringComparison.Ordinal));

        var shared = MeshRepositoryValidator.Validate(_mesh);

        Assert.Empty(shared.Findings);

        Directory.CreateDirectory(Path.Combine(_mesh, "content", "shared"));
        File.Move(Path.Combine(_mesh, "subscriptions", "shared", "schemas.yaml"), Path.Combine(_mesh, "content", "shared", "schemas.yaml"));
        Edit(streamContract, "'../../shared/schemas.yaml#/SubscriptionChanged'", "'../../../content/shared/schemas.yaml#/SubscriptionChanged'");

        var elsewhere = MeshRepositoryValidator.Validate(_mesh);

        Assert.NotEqual(ValidationReport.Clean, elsewhere.ExitCode);
        var finding = Assert.Single(elsewhere.Findings, f => f.Location.File == streamContract);
        Assert.Contains("content/shared/schemas.yaml", finding.Message);
    }

    private void Edit(string file, string find, string replace)
    {
        var path = Path.Combine(_mesh, file);
        var text = File.ReadAllText(path);
        Assert.Contains(find, text);
        File.WriteAllText(path, text.Replace(find, replace, StringComparison.Ordinal));
    }

    private void Write(string file, string text) => File.WriteAllText(Path.Combine(_mesh, file), text);
}
