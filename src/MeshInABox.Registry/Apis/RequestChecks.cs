using System.Text.Json;
using System.Text.RegularExpressions;
using MeshInABox.Domain.Products;
using MeshInABox.Registry.Model;

namespace MeshInABox.Registry.Apis;

/// <summary>Per-field checks of request bodies, collected into one validation problem.</summary>
public sealed partial class RequestChecks
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Failed => _errors.Count > 0;

    public IDictionary<string, string[]> Errors => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages))
        {
            _errors[field] = messages = [];
        }

        messages.Add(message);
    }

    public string Required(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, $"'{field}' is required.");
            return "";
        }

        return value.Trim();
    }

    public void ProductId(string id, string field)
    {
        if (!ProductIdPattern().IsMatch(id))
        {
            Add(field, $"'{id}' is not a product id: <domain>.<name> in lower-case kebab case, e.g. content.catalogue.");
        }
    }

    public string Classification(string? value)
    {
        if (value is null)
        {
            return "open";
        }

        if (!Enum.TryParse<Domain.Products.Classification>(value, ignoreCase: true, out _))
        {
            Add("classification", $"'{value}' is not a classification: use open or restricted.");
        }

        return value.ToLowerInvariant();
    }

    public void Outputs(IReadOnlyList<ProductOutputDto>? outputs)
    {
        for (var i = 0; i < (outputs?.Count ?? 0); i++)
        {
            var output = outputs![i];
            var field = $"outputs[{i}]";
            Required(output.Name, field + ".name");
            if (output.Kind is null || !Enum.TryParse<OutputKind>(output.Kind, ignoreCase: true, out _) || int.TryParse(output.Kind, out _))
            {
                Add(field + ".kind", $"'{output.Kind}' is not an output kind: use csv, postgres, lakehouse or kafka.");
            }
        }

        foreach (var duplicate in (outputs ?? []).GroupBy(o => o.Name).Where(g => g.Key is not null && g.Count() > 1))
        {
            Add("outputs", $"Output '{duplicate.Key}' is listed more than once.");
        }
    }

    /// <summary>The locator holds where data is, never how to get in: no credentials in endpoints.</summary>
    public void NoSecrets(JsonElement location, string field)
    {
        foreach (var property in Flatten(location))
        {
            if (SecretName().IsMatch(property))
            {
                Add(field, $"'{property}' looks like a credential; endpoints hold locations only, never secrets.");
            }
        }
    }

    /// <summary>Product ids are <c>&lt;domain&gt;.&lt;name&gt;</c>; a name becomes kebab case.</summary>
    public static string Slug(string name) => NonSlug().Replace(name.ToLowerInvariant(), "-").Trim('-');

    private static IEnumerable<string> Flatten(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => new[] { p.Name }.Concat(Flatten(p.Value))),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Flatten),
        _ => [],
    };

    [GeneratedRegex(@"^[a-z][a-z0-9]*(-[a-z0-9]+)*\.[a-z][a-z0-9]*(-[a-z0-9]+)*$")]
    private static partial Regex ProductIdPattern();

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NonSlug();

    [GeneratedRegex("(?i)password|passwd|secret|token|api[_-]?key|credential")]
    private static partial Regex SecretName();
}
