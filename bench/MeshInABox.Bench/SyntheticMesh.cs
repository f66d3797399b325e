using System.Globalization;
using System.Text;

namespace MeshInABox.Bench;

/// <summary>
/// A generated mesh repo of N products across domains, each with a manifest,
/// an ODCS contract and a CSV file, shaped like the Messflix sample.
/// </summary>
public static class SyntheticMesh
{
    public static string Create(string root, int products, int rowsPerProduct)
    {
        for (var i = 0; i < products; i++)
        {
            var domain = $"domain-{i % 10:D2}";
            var name = $"product-{i:D4}";
            var directory = Path.Combine(root, domain, name);
            Directory.CreateDirectory(Path.Combine(directory, "data"));
            Directory.CreateDirectory(Path.Combine(directory, "contracts"));
            File.WriteAllText(Path.Combine(directory, "dataproduct.json"), $$"""
                {
                  "id": "{{domain}}.{{name}}",
                  "name": "Product {{i}}",
                  "domain": "{{domain}}",
                  "owner": "team-{{i % 10}}",
                  "description": "Generated product number {{i}} with a handful of typed columns for benchmarking validation.",
                  "businessUnit": "unit-{{i % 3}}",
                  "tags": ["generated", "bench"],
                  "classification": "open",
                  "status": "active",
                  "outputs": [{ "name": "facts", "kind": "csv", "location": "data/facts.csv", "contract": "contracts/facts.odcs.yaml" }]
                }
                """);
            File.WriteAllText(Path.Combine(directory, "contracts", "facts.odcs.yaml"), $"""
                apiVersion: v3.1.0
                kind: DataContract
                id: {domain}-{name}-facts
                version: 1.{i % 7}.0
                status: active
                schema:
                  - name: facts
                    properties:
                      - name: fact_id
                        logicalType: integer
                        required: true
                        unique: true
                      - name: label
                        logicalType: string
                        required: true
                      - name: amount
                        logicalType: number
                      - name: happened_on
                        logicalType: date
                      - name: flagged
                        logicalType: boolean
                slaProperties:
                  - property: latency
                    value: 1
                    unit: d
                """);
            var csv = new StringBuilder("fact_id,label,amount,happened_on,flagged\n");
            for (var row = 1; row <= rowsPerProduct; row++)
            {
                csv.Append(CultureInfo.InvariantCulture, $"{row},label {row},{row * 1.25m},2026-{1 + row % 12:D2}-{1 + row % 28:D2},{(row % 2 == 0 ? "true" : "false")}\n");
            }

            File.WriteAllText(Path.Combine(directory, "data", "facts.csv"), csv.ToString());
        }

        return root;
    }
}
