using System.Text.Json;
using System.Text.Json.Nodes;
using MeshInABox.Domain.Contracts;
using MeshInABox.Domain.Products;
using MeshInABox.Registry.ProductLineage;
using MeshInABox.Registry.Products;
using MeshInABox.Registry.Publishing;

namespace MeshInABox.Registry.DataHub;

/// <summary>One metadata change proposal: a whole aspect, UPSERTed, so re-sending it is harmless.</summary>
public sealed record Proposal(string EntityType, string EntityUrn, string AspectName, JsonObject Aspect)
{
    /// <summary>The proposal as Rest.li takes it: aspect.value is the aspect's JSON as a string.</summary>
    public JsonObject ToJson() => new()
    {
        ["entityType"] = EntityType,
        ["entityUrn"] = EntityUrn,
        ["changeType"] = "UPSERT",
        ["aspectName"] = AspectName,
        ["aspect"] = new JsonObject
        {
            ["contentType"] = "application/json",
            ["value"] = Aspect.ToJsonString(),
        },
    };
}

/// <summary>What the DataHub feed says about one product: every value goes through JsonNode, never into a string by hand.</summary>
public static class DataHubProposals
{
    /// <param name="removedOutputs">Outputs of earlier versions the current one no longer has: marked removed.</param>
    /// <param name="upstreamDataset">The dataset URN of a table an output reads (another product's output, or a table outside the mesh).</param>
    public static IReadOnlyList<Proposal> For(
        RegisteredProduct product,
        PublishedVersion? current,
        IReadOnlyList<RegisteredOutput> outputs,
        IReadOnlyList<RegisteredOutput> removedOutputs,
        IReadOnlyList<OutputLineage> lineage,
        Func<UpstreamTable, string> upstreamDataset)
    {
        var contract = current is null ? null : ContractReader.Read(current.Contract, "contract.yaml").Contract;
        var productUrn = DataHubUrns.DataProduct(product.Id);
        var retired = product.Status == ProductStatus.Retired;
        var proposals = new List<Proposal>();

        var custom = new JsonObject
        {
            ["classification"] = product.Classification.ToString().ToLowerInvariant(),
            ["status"] = product.Status.ToString().ToLowerInvariant(),
        };
        if (product.BusinessUnit is { } businessUnit)
        {
            custom["businessUnit"] = businessUnit;
        }

        if (current is not null)
        {
            custom["version"] = current.Version;
        }

        if (product.Deprecation is { } deprecation)
        {
            custom["sunsetAt"] = deprecation.SunsetAt.ToString("O");
            custom["deprecationMessage"] = deprecation.Message;
        }

        var assets = new JsonArray();
        foreach (var output in outputs)
        {
            assets.Add(new JsonObject
            {
                ["destinationUrn"] = DataHubUrns.OutputDataset(product.Id, product.Domain, output.Kind, output.Name),
                ["outputPort"] = true,
            });
        }

        proposals.Add(new("dataProduct", productUrn, "dataProductProperties", new JsonObject
        {
            ["name"] = product.Name,
            ["description"] = product.Description,
            ["customProperties"] = custom,
            ["assets"] = assets,
        }));
        proposals.Add(new("dataProduct", productUrn, "domains", new JsonObject { ["domains"] = new JsonArray(DataHubUrns.Domain(product.Domain)) }));
        proposals.Add(new("dataProduct", productUrn, "ownership", Ownership(product.Owner)));
        proposals.Add(new("dataProduct", productUrn, "globalTags", Tags(product.Tags)));
        proposals.Add(new("dataProduct", productUrn, "status", new JsonObject { ["removed"] = retired }));

        foreach (var output in outputs)
        {
            var datasetUrn = DataHubUrns.OutputDataset(product.Id, product.Domain, output.Kind, output.Name);
            var platform = DataHubUrns.PlatformOf(output.Kind);
            var datasetCustom = new JsonObject { ["product"] = product.Id, ["kind"] = output.Kind.ToString().ToLowerInvariant() };
            if (output.Location is { } location)
            {
                datasetCustom["location"] = location;
            }

            var schema = contract?.ObjectFor(output.Name);
            proposals.Add(new("dataset", datasetUrn, "datasetProperties", new JsonObject
            {
                ["name"] = output.Name,
                ["description"] = schema?.Description ?? product.Description,
                ["customProperties"] = datasetCustom,
            }));
            if (schema is not null)
            {
                proposals.Add(new("dataset", datasetUrn, "schemaMetadata", SchemaMetadata(schema, platform, current!)));
            }

            proposals.Add(new("dataset", datasetUrn, "ownership", Ownership(product.Owner)));
            proposals.Add(new("dataset", datasetUrn, "globalTags", Tags(product.Tags)));
            if (lineage.FirstOrDefault(l => l.Output == output.Name) is { Sources.Count: > 0 } outputLineage)
            {
                proposals.Add(new("dataset", datasetUrn, "upstreamLineage", UpstreamLineage(datasetUrn, outputLineage, upstreamDataset)));
            }

            proposals.Add(new("dataset", datasetUrn, "status", new JsonObject { ["removed"] = retired }));
        }

        foreach (var removed in removedOutputs)
        {
            proposals.Add(new("dataset", DataHubUrns.OutputDataset(product.Id, product.Domain, removed.Kind, removed.Name), "status",
                new JsonObject { ["removed"] = true }));
        }

        return proposals;
    }

    /// <summary>The product's owner is a team: a corpGroup, TECHNICAL_OWNER (DATAOWNER is deprecated in DataHub's OwnershipType).</summary>
    private static JsonObject Ownership(string owner) => new()
    {
        ["owners"] = new JsonArray(new JsonObject { ["owner"] = DataHubUrns.Group(owner), ["type"] = "TECHNICAL_OWNER" }),
    };

    private static JsonObject Tags(IReadOnlyList<string> tags)
    {
        var array = new JsonArray();
        foreach (var tag in tags)
        {
            array.Add(new JsonObject { ["tag"] = DataHubUrns.Tag(tag) });
        }

        return new JsonObject { ["tags"] = array };
    }

    private static JsonObject SchemaMetadata(SchemaObject schema, string platform, PublishedVersion current)
    {
        var fields = new JsonArray();
        foreach (var property in schema.Properties)
        {
            AddField(fields, property.Name, property);
        }

        return new JsonObject
        {
            ["schemaName"] = schema.Name,
            ["platform"] = DataHubUrns.Platform(platform),
            ["version"] = 0,
            ["hash"] = current.ContentHash,
            ["platformSchema"] = new JsonObject { ["com.linkedin.schema.OtherSchema"] = new JsonObject { ["rawSchema"] = "" } },
            ["fields"] = fields,
        };
    }

    private static void AddField(JsonArray fields, string path, SchemaProperty property)
    {
        var field = new JsonObject
        {
            ["fieldPath"] = path,
            ["nativeDataType"] = property.PhysicalType ?? property.LogicalType?.ToString().ToLowerInvariant() ?? "string",
            ["type"] = new JsonObject { ["type"] = new JsonObject { [TypeOf(property.LogicalType)] = new JsonObject() } },
            ["nullable"] = !property.Required,
        };
        if (property.Description is { } description)
        {
            field["description"] = description;
        }

        fields.Add(field);
        foreach (var nested in property.Properties)
        {
            AddField(fields, $"{path}.{nested.Name}", nested);
        }
    }

    private static string TypeOf(LogicalType? type) => type switch
    {
        LogicalType.Integer or LogicalType.Number => "com.linkedin.schema.NumberType",
        LogicalType.Boolean => "com.linkedin.schema.BooleanType",
        LogicalType.Date => "com.linkedin.schema.DateType",
        LogicalType.Timestamp or LogicalType.Time => "com.linkedin.schema.TimeType",
        LogicalType.Object => "com.linkedin.schema.RecordType",
        LogicalType.Array => "com.linkedin.schema.ArrayType",
        _ => "com.linkedin.schema.StringType",
    };

    private static JsonObject UpstreamLineage(string datasetUrn, OutputLineage lineage, Func<UpstreamTable, string> upstreamDataset)
    {
        var upstreams = new JsonArray();
        foreach (var urn in lineage.Sources.Select(upstreamDataset).Distinct(StringComparer.Ordinal))
        {
            upstreams.Add(new JsonObject { ["dataset"] = urn, ["type"] = "TRANSFORMED" });
        }

        var fineGrained = new JsonArray();
        // Edges without a column (JOIN, FILTER...) decide rows, not a column's value: dataset-level upstreams cover them.
        foreach (var edge in lineage.Columns.Where(c => c.Column is not null)
                     .GroupBy(c => (Column: c.Column!, c.Type, c.Subtype))
                     .OrderBy(g => g.Key.Column, StringComparer.Ordinal))
        {
            var sources = new JsonArray();
            foreach (var source in edge.Select(e => DataHubUrns.SchemaField(upstreamDataset(e.Source), e.SourceColumn)).Distinct(StringComparer.Ordinal))
            {
                sources.Add(source);
            }

            fineGrained.Add(new JsonObject
            {
                ["upstreamType"] = "FIELD_SET",
                ["upstreams"] = sources,
                ["downstreamType"] = "FIELD",
                ["downstreams"] = new JsonArray(DataHubUrns.SchemaField(datasetUrn, edge.Key.Column)),
                ["transformOperation"] = $"{edge.Key.Type}:{edge.Key.Subtype}",
            });
        }

        var aspect = new JsonObject { ["upstreams"] = upstreams };
        if (fineGrained.Count > 0)
        {
            aspect["fineGrainedLineages"] = fineGrained;
        }

        return aspect;
    }

    /// <summary>For tests and logs: an aspect value as a parsed document.</summary>
    public static JsonElement Parse(string value) => JsonDocument.Parse(value).RootElement.Clone();
}
