using System.Text.Json;
using System.Text.Json.Nodes;
using MeshInABox.Registry.Apis;
using MeshInABox.Registry.Products;
using MeshInABox.Registry.ProductLineage;

namespace MeshInABox.Registry.OpenLineage;

/// <summary>
/// The design-time lineage a publish emits: one OpenLineage 2-0-2 JobEvent per output that has SQL, the job named
/// <c>&lt;product&gt;.&lt;output&gt;</c> in the product's domain namespace (<c>mesh://&lt;domain&gt;</c>), with the SQL,
/// the output's schema and its column lineage as facets. Datasets are named as the lakehouse's SQL names them, in
/// their own domain's namespace; files in the namespace <c>file</c>. The events go through the same validator as
/// received ones, so what is emitted is what the intake would accept.
/// </summary>
public static class DesignJobEvent
{
    public const string Producer = "mesh://registry";

    private const string SpecUrl = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/JobEvent";
    private const string SchemaFacetUrl = "https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet";
    private const string ColumnLineageFacetUrl = "https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet";
    private const string SqlFacetUrl = "https://openlineage.io/spec/facets/1-1-0/SQLJobFacet.json#/$defs/SQLJobFacet";
    private const string ProductFacetUrl = "mesh://registry/facets/MeshProductJobFacet.json";
    private const string JobTypeFacetUrl = "https://openlineage.io/spec/facets/2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet";

    /// <returns>The events, validated; an output whose event the validator refuses (it cannot be, short of a bug) is left out.</returns>
    public static IReadOnlyList<ReceivedLineageEvent> For(
        RegisteredProduct product, string version, IReadOnlyList<RegisteredOutput> outputs, DesignLineage lineage, IReadOnlyDictionary<string, string> domainsByProduct, DateTimeOffset now)
    {
        var events = new JsonArray();
        foreach (var output in lineage.Outputs)
        {
            var sql = outputs.FirstOrDefault(o => o.Name == output.Output)?.Sql;
            var target = new CatalogTable(product.Id, product.Domain, output.Output, []).SqlName;
            events.Add(new JsonObject
            {
                ["eventTime"] = now.UtcDateTime.ToString("O"),
                ["producer"] = Producer,
                ["schemaURL"] = SpecUrl,
                ["job"] = new JsonObject
                {
                    ["namespace"] = LineageDomains.Scheme + product.Domain,
                    ["name"] = $"{product.Id}.{output.Output}",
                    ["facets"] = new JsonObject
                    {
                        ["jobType"] = Facet(JobTypeFacetUrl, new() { ["processingType"] = "BATCH", ["integration"] = "MESHINABOX", ["jobType"] = "QUERY" }),
                        ["sql"] = Facet(SqlFacetUrl, new() { ["query"] = sql ?? "" }),
                        // Which version of which product this job definition is: a facet of the mesh's own.
                        ["meshProduct"] = Facet(ProductFacetUrl, new() { ["productId"] = product.Id, ["version"] = version }),
                    },
                },
                ["inputs"] = new JsonArray([.. output.Sources.Select(s => (JsonNode)Dataset(s, domainsByProduct))]),
                ["outputs"] = new JsonArray(Output(product, target, output, lineage.Columns, domainsByProduct)),
            });
        }

        if (events.Count == 0)
        {
            return [];
        }

        var checks = new RequestChecks();
        using var document = JsonDocument.Parse(events.ToJsonString());
        var read = OpenLineageValidator.Read(document.RootElement, checks);
        return checks.Failed ? [] : read;
    }

    private static JsonObject Output(
        RegisteredProduct product, string target, OutputLineage output, IReadOnlyList<DesignColumn> columns, IReadOnlyDictionary<string, string> domainsByProduct)
    {
        var fields = new JsonObject();
        foreach (var column in output.Columns.Where(c => c.Column is not null).GroupBy(c => c.Column!))
        {
            fields[column.Key] = new JsonObject { ["inputFields"] = InputFields(column, domainsByProduct) };
        }

        var schema = columns.Where(c => c.Output == output.Output).Select(c => (JsonNode)new JsonObject
        {
            ["name"] = c.Name,
            ["type"] = c.LogicalType ?? c.PhysicalType ?? "string",
            ["description"] = c.Description,
        });
        return new JsonObject
        {
            ["namespace"] = LineageDomains.Scheme + product.Domain,
            ["name"] = target,
            ["facets"] = new JsonObject
            {
                ["schema"] = Facet(SchemaFacetUrl, new() { ["fields"] = new JsonArray([.. schema]) }),
                ["columnLineage"] = Facet(ColumnLineageFacetUrl, new()
                {
                    ["fields"] = fields,
                    ["dataset"] = InputFields(output.Columns.Where(c => c.Column is null), domainsByProduct),
                }),
            },
        };
    }

    private static JsonArray InputFields(IEnumerable<ColumnSource> edges, IReadOnlyDictionary<string, string> domainsByProduct) =>
    [
        .. edges.GroupBy(e => (e.Source.Table, e.SourceColumn)).Select(g => (JsonNode)new JsonObject
        {
            ["namespace"] = Namespace(g.First().Source, domainsByProduct),
            ["name"] = Name(g.First().Source),
            ["field"] = g.Key.SourceColumn,
            ["transformations"] = new JsonArray([.. g.Select(e => (JsonNode)new JsonObject { ["type"] = e.Type, ["subtype"] = e.Subtype })]),
        }),
    ];

    private static JsonObject Dataset(UpstreamTable table, IReadOnlyDictionary<string, string> domainsByProduct) =>
        new() { ["namespace"] = Namespace(table, domainsByProduct), ["name"] = Name(table) };

    private static string Namespace(UpstreamTable table, IReadOnlyDictionary<string, string> domainsByProduct) =>
        table.ProductId is { } id && domainsByProduct.TryGetValue(id, out var domain) ? LineageDomains.Scheme + domain
        : table.Table.StartsWith("file:", StringComparison.Ordinal) ? "file"
        : "mesh://external";

    private static string Name(UpstreamTable table) => table.Table.StartsWith("file:", StringComparison.Ordinal) ? table.Table["file:".Length..] : table.Table;

    private static JsonObject Facet(string schemaUrl, JsonObject body)
    {
        body["_producer"] = Producer;
        body["_schemaURL"] = schemaUrl;
        return body;
    }

}
