using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MeshInABox.Domain.Naming;
using MeshInABox.Registry.Extensions;
using MeshInABox.ServiceDefaults.Locations;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MeshInABox.Registry.Locations;

/// <summary>
/// Where a product's data may be, decided by the platform, not by the domain that writes the product:
/// files in the product's own folder of a mesh repository (canonical, links followed), PostgreSQL tables in
/// the product's own schema of the mesh database, the product's own lakehouse table, and topics under its
/// domain. Every location is checked where it is recorded: PUT endpoints and the outputs of register and publish.
/// </summary>
public sealed partial class LocationRules(IOptions<LocationOptions> locations, IConfiguration configuration)
{
    /// <summary>Kafka's own limit on a topic name.</summary>
    public const int MaxTopicLength = 249;

    private const int MaxIdentifierLength = 63;

    private const int MaxPathLength = 4096;

    private static readonly HashSet<string> Placeholders = ["provisioned", "storageTemplate"];

    private readonly NpgsqlConnectionStringBuilder _meshDatabase = new(configuration.GetConnectionString(RegistryApplicationExtensions.DatabaseName) ?? "");

    /// <summary>The canonical form of a file a product names, or null with the reason it is not the product's.</summary>
    public string? File(string path, string productId, out string? reason)
    {
        if (MeshNames.Text(path, MaxPathLength, "A file location") is { } text)
        {
            reason = text;
            return null;
        }

        var (domain, slug) = Split(productId);
        // An empty entry (a blanked setting) is no repository.
        return ProductFolders.Resolve(path, domain, slug, [.. locations.Value.RepositoryRoots.Where(r => !string.IsNullOrWhiteSpace(r))], out reason);
    }

    /// <summary>
    /// A location object of an endpoint, checked against the rules of <paramref name="kind"/>; the location to store
    /// (file paths canonical), or null with each broken rule as (property, message).
    /// </summary>
    public JsonObject? Endpoint(string productId, string output, string kind, JsonElement location, List<(string Property, string Message)> errors)
    {
        var stored = new JsonObject();
        string[] allowed = kind switch
        {
            "csv" => ["path"],
            "postgres" => ["host", "port", "database", "schema", "table", .. Placeholders],
            "lakehouse" => ["table", .. Placeholders],
            "kafka" => ["topic", .. Placeholders],
            _ => [],
        };
        foreach (var property in location.EnumerateObject())
        {
            if (!allowed.Contains(property.Name, StringComparer.Ordinal))
            {
                errors.Add((property.Name, $"{MeshNames.Quote(property.Name)} is not a property of a {kind} location; it has {string.Join(", ", allowed)}."));
            }
            else if (property.Name == "provisioned")
            {
                if (property.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    errors.Add((property.Name, "'provisioned' is true or false."));
                }

                stored[property.Name] = property.Value.ValueKind == JsonValueKind.True;
            }
            else if (property.Name == "port")
            {
                var port = property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt32(out var p) ? p : (int?)null;
                if (port != _meshDatabase.Port)
                {
                    errors.Add((property.Name, $"PostgreSQL outputs live in the mesh database: 'port' is {_meshDatabase.Port} or left out."));
                }

                stored[property.Name] = port;
            }
            else if (property.Value.ValueKind != JsonValueKind.String)
            {
                errors.Add((property.Name, $"{MeshNames.Quote(property.Name)} is text."));
            }
            else if (property.Name == "storageTemplate" && MeshNames.Output(property.Value.GetString()) is { } templateError)
            {
                errors.Add((property.Name, templateError));
            }
            else
            {
                stored[property.Name] = property.Value.GetString();
            }
        }

        if (errors.Count > 0)
        {
            return null;
        }

        string? Text(string name) => stored[name]?.GetValue<string>();
        var (domain, slug) = Split(productId);
        switch (kind)
        {
            case "csv":
                if (Text("path") is not { } path)
                {
                    errors.Add(("path", "A csv location names its file: {\"path\": \"/...\"}."));
                }
                else if (File(path, productId, out var reason) is { } canonical)
                {
                    stored["path"] = canonical;
                }
                else
                {
                    errors.Add(("path", reason!));
                }

                break;
            case "postgres":
                if (Text("host") is { } host && !string.Equals(host, _meshDatabase.Host, StringComparison.OrdinalIgnoreCase))
                {
                    errors.Add(("host", $"PostgreSQL outputs live in the mesh database: 'host' is {MeshNames.Quote(_meshDatabase.Host)} or left out."));
                }

                if (Text("database") is { } database && database != _meshDatabase.Database)
                {
                    errors.Add(("database", $"PostgreSQL outputs live in the mesh database: 'database' is {MeshNames.Quote(_meshDatabase.Database)} or left out."));
                }

                var schema = MeshNames.ProductSchema(productId);
                if (Text("schema") != schema)
                {
                    errors.Add(("schema", $"A product's PostgreSQL tables live in its own schema: 'schema' must be '{schema}'."));
                }

                if (Identifier(Text("table")) is { } tableError)
                {
                    errors.Add(("table", tableError));
                }

                break;
            case "lakehouse":
                var table = $"{domain}/{slug}/{output}";
                if (Text("table") is { } lakeTable && lakeTable != table)
                {
                    errors.Add(("table", $"A product's lakehouse table is its own: 'table' must be '{table}' or left out."));
                }

                break;
            case "kafka":
                if (Text("topic") is { } topic && Topic(topic, productId) is { } topicError)
                {
                    errors.Add(("topic", topicError));
                }

                break;
        }

        return errors.Count == 0 ? stored : null;
    }

    /// <summary>
    /// A topic a product writes: Kafka's characters and length, and under the product's domain
    /// (<c>&lt;domain&gt;.</c>...), so no domain can publish into another's topics or the platform's own.
    /// </summary>
    public static string? Topic(string topic, string productId)
    {
        var (domain, _) = Split(productId);
        if (topic.Length > MaxTopicLength || !TopicPattern().IsMatch(topic))
        {
            return $"{MeshNames.Quote(topic)} is not a topic name: a-z, A-Z, 0-9, '.', '_' or '-', at most {MaxTopicLength} characters.";
        }

        return topic.StartsWith(domain + ".", StringComparison.Ordinal) && topic.Length > domain.Length + 1
            ? null
            : $"{MeshNames.Quote(topic)} is not under the product's domain: a topic of '{productId}' starts with '{domain}.'.";
    }

    /// <summary>A PostgreSQL table name the platform can quote safely: lower case, digits and '_', at most 63 characters.</summary>
    public static string? Identifier(string? name) =>
        name is not null && name.Length <= MaxIdentifierLength && IdentifierPattern().IsMatch(name)
            ? null
            : $"{MeshNames.Quote(name)} is not a table name: lower case a-z, 0-9 or '_', starting with a letter or '_', at most {MaxIdentifierLength} characters.";

    private static (string Domain, string Slug) Split(string productId)
    {
        var dot = productId.IndexOf('.');
        return (productId[..dot], productId[(dot + 1)..]);
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex TopicPattern();

    [GeneratedRegex("^[a-z_][a-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierPattern();
}
