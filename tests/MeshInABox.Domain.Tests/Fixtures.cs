using MeshInABox.Domain.Contracts;
using MeshInABox.Domain.Governance;
using MeshInABox.Domain.Products;
using MeshInABox.Domain.Streams;

namespace MeshInABox.Domain.Tests;

/// <summary>A product that meets every global policy, and ways to break it one rule at a time.</summary>
public static class Fixtures
{
    public const string Manifest = """
        {
          "id": "content.catalogue",
          "name": "Content Catalogue",
          "domain": "content",
          "owner": "team-yellow",
          "description": "Every title Messflix streams, with genre and release year.",
          "businessUnit": "streaming",
          "tags": ["content"],
          "classification": "open",
          "status": "active",
          "outputs": [{ "name": "titles", "kind": "csv", "location": "data/titles.csv", "contract": "titles.odcs.yaml" }]
        }
        """;

    public const string Contract = """
        apiVersion: v3.1.0
        kind: DataContract
        id: titles
        version: 1.0.0
        status: active
        schema:
          - name: titles
            properties:
              - name: title_id
                logicalType: string
                required: true
                description: Title identifier.
              - name: genre
                logicalType: string
                description: Main genre.
                quality:
                  - metric: invalidValues
                    arguments:
                      validValues: [drama, comedy]
                    mustBe: 0
              - name: release_year
                logicalType: integer
                description: Year of first release.
              - name: added_on
                logicalType: date
                description: When it joined.
        slaProperties:
          - property: latency
            value: 1
            unit: d
        """;

    public const string Csv = "title_id,genre,release_year,added_on\ntt0001,drama,1999,2024-01-02\ntt0002,comedy,,2024-03-04\n";

    public static ProductReview Review(string? manifest = null, string? contract = null, string? csv = null, string? asyncApi = null)
    {
        var read = ManifestReader.Read(manifest ?? Manifest, "dataproduct.json");
        Assert.True(read.Manifest is not null, string.Join("\n", read.Errors));
        var outputs = read.Manifest!.Outputs.Select(output => new OutputReview(
            output,
            output.Contract is null ? null : ContractReader.Read(contract ?? Contract, "titles.odcs.yaml"),
            null,
            output.StreamContract is null || asyncApi is null ? null : AsyncApiDocument.Read(asyncApi, "events.asyncapi.yaml"),
            null,
            output.Kind == OutputKind.Csv ? Data(csv ?? Csv) : null,
            null,
            null)).ToList();
        return new ProductReview(read.Manifest, outputs);
    }

    public static DataFile Data(string csv) => new("data/titles.csv", () => new StringReader(csv));

    public static IReadOnlyList<Violation> Check(string policyId, ProductReview review) =>
        [.. GlobalPolicies.All.Single(p => p.Info.Id == policyId).Evaluate(review)];

    public static string WithField(string manifest, string field, string json) =>
        System.Text.RegularExpressions.Regex.Replace(manifest, $"\"{field}\": (\"[^\"]*\"|\\[[^\\]]*\\])", $"\"{field}\": {json}");
}
