using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using MeshInABox.Domain.Naming;
using MeshInABox.Domain.Products;

namespace MeshInABox.Cli.Scaffolding;

/// <summary>What <c>mesh new product</c> is asked for, as given on the command line.</summary>
/// <param name="Product"><c>&lt;domain&gt;/&lt;name&gt;</c>.</param>
public sealed record NewProductRequest(string Product, string Template, string Repository, string? Owner, string? Description, string Classification);

/// <summary>A product written: its folder and the files in it, relative to the folder.</summary>
public sealed record NewProduct(string Id, string Directory, string Output, IReadOnlyList<string> Files);

/// <summary>A request refused before anything was written; the message is one line.</summary>
public sealed class ScaffoldRefusedException(string message) : Exception(message);

/// <summary>
/// The golden path: a new product's folder from a storage template, complete enough that <c>mesh validate</c> passes
/// on it and the storage plane can provision it. Everything is written into a private folder beside the product's,
/// which is then renamed into place: a run that fails leaves nothing behind.
/// </summary>
public static class ProductScaffold
{
    public static IReadOnlyList<string> Classifications { get; } = ["open", "restricted"];

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <exception cref="ScaffoldRefusedException">The request breaks a rule; nothing was written.</exception>
    public static NewProduct Create(NewProductRequest request)
    {
        var plan = Plan(request);
        var domainDirectory = Path.GetDirectoryName(plan.Directory)!;
        var createdDomain = !Directory.Exists(domainDirectory);
        var staging = Path.Combine(domainDirectory, $".{plan.Slug}.new-{Guid.NewGuid():N}");
        try
        {
            foreach (var (relative, contents) in plan.Files)
            {
                var path = Path.Combine(staging, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, contents, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            }

            // Fails when the product's folder appeared meanwhile: then nothing of this run stays.
            Directory.Move(staging, plan.Directory);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }

            if (createdDomain && Directory.Exists(domainDirectory) && !Directory.EnumerateFileSystemEntries(domainDirectory).Any())
            {
                Directory.Delete(domainDirectory);
            }

            throw new ScaffoldRefusedException(Directory.Exists(plan.Directory)
                ? $"{plan.Directory} exists already; nothing was written."
                : $"Could not write {plan.Directory}: {error.Message} Nothing was written.");
        }

        return new NewProduct(plan.Id, plan.Directory, plan.Output, [.. plan.Files.Select(f => f.Path)]);
    }

    /// <summary>A mesh repository holds products as <c>&lt;domain&gt;/&lt;product&gt;/dataproduct.*</c>, or at least a domain's <c>policies.yaml</c>.</summary>
    public static bool IsMeshRepository(string root) =>
        Directory.Exists(root)
        && Directory.EnumerateDirectories(root).Any(domain =>
            File.Exists(Path.Combine(domain, "policies.yaml"))
            || Directory.EnumerateDirectories(domain).Any(product => ManifestReader.FileNames.Any(name => File.Exists(Path.Combine(product, name)))));

    private sealed record ScaffoldPlan(string Id, string Slug, string Directory, string Output, IReadOnlyList<(string Path, string Contents)> Files);

    private static ScaffoldPlan Plan(NewProductRequest request)
    {
        var parts = request.Product.Split('/');
        if (parts is not [var domain, var slug])
        {
            throw new ScaffoldRefusedException($"{MeshNames.Quote(request.Product)} is not <domain>/<name>, e.g. content/title-ratings.");
        }

        if ((MeshNames.Domain(domain) ?? MeshNames.ProductSlug(slug)) is { } naming)
        {
            throw new ScaffoldRefusedException(naming);
        }

        if (!OutputStorage.Templates.Contains(request.Template, StringComparer.Ordinal))
        {
            throw new ScaffoldRefusedException($"{MeshNames.Quote(request.Template)} is not a storage template: use {string.Join(", ", OutputStorage.Templates)}.");
        }

        if (!Classifications.Contains(request.Classification, StringComparer.Ordinal))
        {
            throw new ScaffoldRefusedException($"{MeshNames.Quote(request.Classification)} is not a classification: use {string.Join(" or ", Classifications)}.");
        }

        var owner = request.Owner ?? $"team-{domain}";
        if (MeshNames.Owner(owner) is { } badOwner)
        {
            throw new ScaffoldRefusedException(badOwner);
        }

        if (request.Description is { } given && MeshNames.Text(given, MeshNames.MaxDescriptionLength, "The description") is { } badDescription)
        {
            throw new ScaffoldRefusedException(badDescription.ReplaceLineEndings(" "));
        }

        var root = Path.GetFullPath(request.Repository);
        if (!IsMeshRepository(root))
        {
            throw new ScaffoldRefusedException($"{root} is not a mesh repository: it has no <domain>/<product>/dataproduct.json and no <domain>/policies.yaml (give its root with --repo).");
        }

        var directory = Path.Combine(root, domain, slug);
        if (Directory.Exists(directory) || File.Exists(directory))
        {
            throw new ScaffoldRefusedException($"{directory} exists already; choose another name or edit that product.");
        }

        var id = MeshNames.ProductIdOf(domain, slug);
        var output = slug.Replace('-', '_');
        var title = CultureInfo.InvariantCulture.TextInfo.ToTitleCase(slug.Replace('-', ' '));
        var description = request.Description?.ReplaceLineEndings(" ").Trim() is { Length: > 0 } text
            ? text
            : $"{title} from the {domain} domain: replace this with what the data is, where it comes from and what it is for.";
        var product = new Product(id, domain, slug, output, title, owner, description, request.Template, request.Classification);

        var files = new List<(string, string)>
        {
            ("dataproduct.json", Manifest(product)),
            ($"contracts/{output}.odcs.yaml", Contract(product)),
        };
        if (product.Template == OutputStorage.Kafka)
        {
            files.Add(($"contracts/{output}.asyncapi.yaml", AsyncApi(product)));
        }

        if (product.Template == OutputStorage.Csv)
        {
            files.Add((CsvPath(output), string.Join(",", ExampleProperties.Select(p => p.Name)) + "\n"));
        }

        files.Add(("README.md", Readme(product)));
        return new ScaffoldPlan(id, slug, directory, output, files);
    }

    private sealed record Product(string Id, string Domain, string Slug, string Output, string Title, string Owner, string Description, string Template, string Classification);

    private sealed record ExampleProperty(string Name, string LogicalType, string AsyncApiType, string? Format, string Description);

    private static readonly ExampleProperty[] ExampleProperties =
    [
        new("id", "string", "string", null, "Identifier of the record (example property: replace it with the output's own key)."),
        new("occurred_at", "timestamp", "string", "date-time", "When it happened (UTC); a lakehouse table is partitioned by its day (example property)."),
        new("status", "string", "string", null, "The record's state, one of the allowed values below (example property)."),
    ];

    private static readonly string[] StatusValues = ["active", "inactive"];

    private static string CsvPath(string output) => $"data/{output}.csv";

    private static string Manifest(Product p)
    {
        var output = new JsonObject
        {
            ["name"] = p.Output,
            ["kind"] = p.Template,
            ["storage"] = Storage(p),
            ["contract"] = $"contracts/{p.Output}.odcs.yaml",
        };
        if (p.Template == OutputStorage.Csv)
        {
            output["location"] = CsvPath(p.Output);
        }

        if (p.Template == OutputStorage.Kafka)
        {
            output["streamContract"] = $"contracts/{p.Output}.asyncapi.yaml";
        }

        var manifest = new JsonObject
        {
            ["$schema"] = "../../../../docs/schemas/data-product-manifest.schema.json",
            ["id"] = p.Id,
            ["name"] = p.Title,
            ["domain"] = p.Domain,
            ["owner"] = p.Owner,
            ["description"] = p.Description,
            ["businessUnit"] = p.Domain,
            ["tags"] = new JsonArray(p.Domain),
            ["classification"] = p.Classification,
            ["status"] = "draft",
            ["outputs"] = new JsonArray(output),
        };
        return manifest.ToJsonString(Json) + "\n";
    }

    /// <summary>The template's defaults spelled out, so the team sees what it may change.</summary>
    private static JsonObject Storage(Product p) => p.Template switch
    {
        OutputStorage.Lakehouse => new JsonObject { ["template"] = p.Template, ["partitionBy"] = "day" },
        OutputStorage.Kafka => new JsonObject { ["template"] = p.Template, ["partitions"] = 3, ["retention"] = "7d" },
        OutputStorage.Csv => new JsonObject { ["template"] = p.Template, ["path"] = CsvPath(p.Output) },
        _ => new JsonObject { ["template"] = p.Template },
    };

    /// <summary>A YAML double-quoted scalar (a JSON string is one), so any text the team gave stays text.</summary>
    private static string Quoted(string text) => JsonSerializer.Serialize(text, Json);

    private static string Contract(Product p)
    {
        var yaml = new StringBuilder();
        yaml.Append(CultureInfo.InvariantCulture, $"""
            # The contract of output '{p.Output}' of {p.Id}: what consumers may rely on. Replace the example
            # properties with the output's own columns; every change after registration needs a version bump.
            apiVersion: v3.1.0
            kind: DataContract
            id: {p.Domain}-{p.Slug}
            name: {Quoted(p.Title)}
            version: 1.0.0
            status: active
            domain: {p.Domain}
            dataProduct: {p.Id}
            description:
              purpose: {Quoted(p.Description)}
            team:
              name: {p.Owner}
            schema:
              - name: {p.Output}
                physicalType: table
                description: {Quoted($"One record of {p.Title} (describe what one row or message stands for).")}
                properties:

            """);
        foreach (var property in ExampleProperties)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"""
                      - name: {property.Name}
                        logicalType: {property.LogicalType}
                        required: true

                """);
            if (property.Name == "id")
            {
                yaml.Append("""
                            unique: true
                            primaryKey: true
                            primaryKeyPosition: 1

                    """);
            }

            yaml.Append(CultureInfo.InvariantCulture, $"""
                        description: {Quoted(property.Description)}

                """);
            if (property.Name == "status")
            {
                yaml.Append(CultureInfo.InvariantCulture, $"""
                            quality:
                              - metric: invalidValues
                                arguments:
                                  validValues: [{string.Join(", ", StatusValues)}]
                                mustBe: 0

                    """);
            }
        }

        yaml.Append("""
            slaProperties:
              - property: latency
                value: 1
                unit: d

            """);
        return yaml.ToString();
    }

    private static string AsyncApi(Product p)
    {
        var message = string.Concat(p.Title.Split(' '));
        var properties = new StringBuilder();
        foreach (var property in ExampleProperties)
        {
            properties.Append(CultureInfo.InvariantCulture, $"""
                        {property.Name}:
                          type: {property.AsyncApiType}

                """);
            if (property.Format is { } format)
            {
                properties.Append(CultureInfo.InvariantCulture, $"          format: {format}\n");
            }

            if (property.Name == "status")
            {
                properties.Append(CultureInfo.InvariantCulture, $"          enum: [{string.Join(", ", StatusValues)}]\n");
            }
        }

        return $"""
            # The messages of output '{p.Output}' of {p.Id} on its topic. Keep the payload's properties and 'required'
            # in step with contracts/{p.Output}.odcs.yaml: mesh validate checks that messages require what the contract requires.
            asyncapi: 3.0.0
            info:
              title: {Quoted(p.Title)}
              version: 1.0.0
              description: {Quoted(p.Description)}
            channels:
              {message.ToLowerInvariant()[0]}{message[1..]}:
                address: {p.Id}.{p.Output}
                messages:
                  {message}:
                    $ref: '#/components/messages/{message}'
            operations:
              publish{message}:
                action: send
                channel:
                  $ref: '#/channels/{message.ToLowerInvariant()[0]}{message[1..]}'
            components:
              messages:
                {message}:
                  name: {message}
                  contentType: application/json
                  payload:
                    $ref: '#/components/schemas/{message}'
              schemas:
                {message}:
                  type: object
                  additionalProperties: false
                  required: [{string.Join(", ", ExampleProperties.Select(e => e.Name))}]
                  properties:
            {properties}
            """;
    }

    private static string Readme(Product p)
    {
        var storage = p.Template switch
        {
            OutputStorage.Postgres => "a table in the product's own PostgreSQL schema, created from the contract when the version is registered.",
            OutputStorage.Lakehouse => "an Iceberg table in the lakehouse, partitioned by the day of the first timestamp (`partitionBy`: day, month or none; `retention` of old snapshots, e.g. 30d).",
            OutputStorage.Kafka => "a Kafka topic (`partitions`, `retention` such as 7d, 12h or forever, `replicationFactor`); the messages are described by the AsyncAPI document.",
            _ => $"a CSV file in this folder (`path`, now `{CsvPath(p.Output)}`, which holds the header row only).",
        };
        var files = new List<string>
        {
            "- `dataproduct.json`: the product's registration. Edit its `name`, `description` (what the data is, for whom), `businessUnit` and `tags`; set `status` to active once it is ready.",
            $"- `contracts/{p.Output}.odcs.yaml`: the output's ODCS contract. Replace the example properties (`id`, `occurred_at`, `status`) with the output's own, each with a description; keep a primary key, and adjust the quality rule and the latency SLA.",
        };
        if (p.Template == OutputStorage.Kafka)
        {
            files.Add($"- `contracts/{p.Output}.asyncapi.yaml`: the messages on the topic; its payload must require every property the contract requires.");
        }

        if (p.Template == OutputStorage.Csv)
        {
            files.Add($"- `{CsvPath(p.Output)}`: the data; its header must name exactly the contract's properties.");
        }

        return $"""
            # {p.Title} (`{p.Id}`)

            Created by `mesh new product {p.Domain}/{p.Slug} --template {p.Template}`, owned by `{p.Owner}`, classified {p.Classification}.
            Its output `{p.Output}` is stored as {storage}

            ## What to edit next

            {string.Join("\n", files)}

            A product that holds personal data is classified `restricted`. Your domain's `../policies.yaml`, if there is one,
            adds its own rules.

            ## Check and register it

            From the mesh repository's root:

            ```bash
            mesh validate .                       # the governance policies; exit 0 when the product meets them
            mesh contract lint {p.Domain}/{p.Slug}/contracts/{p.Output}.odcs.yaml
            mesh register .                       # with the mesh up: registers the product and publishes its contract
            ```

            """;
    }
}
