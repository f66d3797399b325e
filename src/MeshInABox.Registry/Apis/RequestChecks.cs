using System.Text.Json;
using System.Text.RegularExpressions;
using MeshInABox.Domain.Naming;
using MeshInABox.Domain.Products;
using MeshInABox.Lineage;
using MeshInABox.Registry.Locations;
using MeshInABox.Registry.Model;
using MeshInABox.Registry.Products;

namespace MeshInABox.Registry.Apis;

/// <summary>
/// Per-field checks of request bodies, collected into one validation problem. Every name goes through
/// <see cref="MeshNames"/> (characters and length), every free text through <see cref="MeshNames.Text"/>,
/// so nothing behind the edge ever sees an unbounded string, a control character or a path in disguise.
/// </summary>
public sealed partial class RequestChecks
{
    /// <summary>Outputs and inputs of one product; the sample mesh's largest product has two.</summary>
    public const int MaxOutputs = 50;

    public const int MaxInputs = 50;

    /// <summary>Business units, storage templates, search terms and filters.</summary>
    public const int MaxShortTextLength = 200;

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

    /// <summary>Free text that must be there, within <paramref name="maxLength"/>; returned trimmed.</summary>
    public string Required(string? value, string field, int maxLength = MeshNames.MaxDescriptionLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, $"'{field}' is required.");
            return "";
        }

        return Text(value, field, maxLength) ?? "";
    }

    /// <summary>Optional free text within <paramref name="maxLength"/>, without control characters.</summary>
    public string? Text(string? value, string field, int maxLength)
    {
        if (MeshNames.Text(value, maxLength, $"'{field}'") is { } error)
        {
            Add(field, error);
            return null;
        }

        return value?.Trim();
    }

    /// <summary>A name checked by one of <see cref="MeshNames"/>' rules; null when it breaks it.</summary>
    public string? Name(string? value, string field, Func<string?, string?> rule)
    {
        if (rule(value) is { } error)
        {
            Add(field, string.IsNullOrEmpty(value) ? $"'{field}' is required. {error}" : $"'{field}': {error}");
            return null;
        }

        return value;
    }

    public Domain.Products.Classification Classification(string? value)
    {
        if (value is null)
        {
            return Domain.Products.Classification.Open;
        }

        if (EnumNames.Parse<Domain.Products.Classification>(value, ignoreCase: true) is { } classification)
        {
            return classification;
        }

        Add("classification", $"{MeshNames.Quote(value)} is not a classification: use open or restricted.");
        return Domain.Products.Classification.Open;
    }

    public IReadOnlyList<string> Tags(IReadOnlyList<string>? tags)
    {
        if (tags is null)
        {
            return [];
        }

        if (tags.Count > MeshNames.MaxTags)
        {
            Add("tags", $"{tags.Count} tags are given; at most {MeshNames.MaxTags} are allowed.");
            return [];
        }

        for (var i = 0; i < tags.Count; i++)
        {
            Name(tags[i], $"tags[{i}]", MeshNames.Tag);
        }

        return tags;
    }

    /// <summary>
    /// Names, kinds and locations of outputs. With a product id (and the rules), file paths are checked to lie in
    /// the product's folder and come back canonical, and topics to lie under its domain.
    /// </summary>
    /// <returns>The outputs whose name and kind are valid (all of them, unless a check failed).</returns>
    public IReadOnlyList<RegisteredOutput> Outputs(IReadOnlyList<ProductOutputDto>? outputs, string? productId, LocationRules rules)
    {
        if (outputs is null)
        {
            return [];
        }

        if (outputs.Count > MaxOutputs)
        {
            Add("outputs", $"{outputs.Count} outputs are given; at most {MaxOutputs} are allowed.");
            return [];
        }

        var checkedOutputs = new List<RegisteredOutput>();
        for (var i = 0; i < outputs.Count; i++)
        {
            var output = outputs[i];
            var field = $"outputs[{i}]";
            if (output is null)
            {
                Add(field, "An output is an object: {\"name\", \"kind\", ...}.");
                continue;
            }

            var name = Name(output.Name, field + ".name", MeshNames.Output);
            var kind = Kind(output.Kind, field + ".kind");
            Name(output.StorageTemplate, field + ".storageTemplate", v => v is null ? null : MeshNames.Output(v));
            var location = output.Location;
            if (productId is not null && kind is not null && location is not null)
            {
                location = kind switch
                {
                    OutputKind.Csv => File(location, productId, field + ".location", rules),
                    OutputKind.Kafka => LocationRules.Topic(location, productId) is { } topicError ? Refuse(field + ".location", topicError) : location,
                    _ => Refuse(field + ".location", $"A {EnumNames.Of(kind.Value)} output's location is provisioned by the platform: leave 'location' out (give a 'storageTemplate')."),
                };
            }

            var transform = productId is null || output.Transform is null ? output.Transform : File(output.Transform, productId, field + ".transform", rules);
            Sql(output, field);
            var storage = Storage(output, kind, field);
            var source = productId is null || output.Source is null ? output.Source : File(output.Source, productId, field + ".source", rules);
            if (name is not null && kind is { } validKind)
            {
                checkedOutputs.Add(new RegisteredOutput(name, validKind, location, output.StorageTemplate, transform, source, output.Sql, storage));
            }
        }

        foreach (var duplicate in outputs.Where(o => o is not null).GroupBy(o => o.Name).Where(g => g.Key is not null && g.Count() > 1))
        {
            Add("outputs", $"Output {MeshNames.Quote(duplicate.Key)} is listed more than once.");
        }

        return checkedOutputs;
    }

    public const int MaxStorageParameters = 20;

    /// <summary>
    /// An output's <c>storage</c>: a known template that fits its kind, at most <see cref="MaxStorageParameters"/>
    /// parameters with plain names and short single-line values. What each template accepts is checked when the
    /// version is provisioned, and refused there with the template's reason.
    /// </summary>
    private RegisteredStorage? Storage(ProductOutputDto output, OutputKind? kind, string field)
    {
        if (output.Storage is not { } storage)
        {
            return null;
        }

        var before = _errors.Values.Sum(m => m.Count); // errors before this output's storage are not its own
        if (output.StorageTemplate is not null)
        {
            Add(field + ".storageTemplate", "Give either 'storage' or 'storageTemplate', not both: 'storage' declares the template and its parameters.");
        }

        if (storage.Template is null || !OutputStorage.Templates.Contains(storage.Template))
        {
            Add(field + ".storage.template", $"{MeshNames.Quote(storage.Template)} is not a storage template: use {string.Join(", ", OutputStorage.Templates)}.");
        }
        else if (kind is { } declared && OutputStorage.TemplateFor(declared) != storage.Template)
        {
            Add(field + ".storage.template", $"A {EnumNames.Of(declared)} output is provisioned by the '{OutputStorage.TemplateFor(declared)}' template, not '{storage.Template}'.");
        }

        var parameters = storage.Parameters ?? new Dictionary<string, string>();
        if (parameters.Count > MaxStorageParameters)
        {
            Add(field + ".storage.parameters", $"{parameters.Count} parameters are given; at most {MaxStorageParameters} are allowed.");
        }

        foreach (var (name, value) in parameters.Take(MaxStorageParameters + 1))
        {
            if (name.Length is 0 or > 40 || !char.IsAsciiLetter(name[0]) || !name.All(char.IsAsciiLetterOrDigit))
            {
                Add(field + ".storage.parameters", $"{MeshNames.Quote(name)} is not a parameter name: 1 to 40 letters and digits, starting with a letter.");
            }
            else if (value is null || value.Length > 200 || value.Any(char.IsControl))
            {
                Add($"{field}.storage.parameters.{name}", "A parameter's value is one line of at most 200 characters.");
            }
        }

        return _errors.Values.Sum(m => m.Count) != before ? null : new RegisteredStorage(storage.Template!, new Dictionary<string, string>(parameters, StringComparer.Ordinal));
    }

    /// <returns>The inputs whose product is valid (all of them, unless a check failed).</returns>
    public IReadOnlyList<RegisteredInput> Inputs(IReadOnlyList<ProductInputDto>? inputs)
    {
        if (inputs is null)
        {
            return [];
        }

        if (inputs.Count > MaxInputs)
        {
            Add("inputs", $"{inputs.Count} inputs are given; at most {MaxInputs} are allowed.");
            return [];
        }

        var checkedInputs = new List<RegisteredInput>();
        for (var i = 0; i < inputs.Count; i++)
        {
            if (inputs[i] is null)
            {
                Add($"inputs[{i}]", "An input is an object: {\"product\", \"output\"}.");
                continue;
            }

            var product = Name(inputs[i].Product, $"inputs[{i}].product", MeshNames.ProductId);
            Name(inputs[i].Output, $"inputs[{i}].output", v => v is null ? null : MeshNames.Output(v));
            if (product is not null)
            {
                checkedInputs.Add(new RegisteredInput(product, inputs[i].Output));
            }
        }

        return checkedInputs;
    }

    /// <summary>An output kind by its name, in any case; null when it is none.</summary>
    public OutputKind? Kind(string? kind, string field)
    {
        if (EnumNames.Parse<OutputKind>(kind, ignoreCase: true) is { } parsed)
        {
            return parsed;
        }

        Add(field, $"{MeshNames.Quote(kind)} is not an output kind: use csv, postgres, lakehouse or kafka.");
        return null;
    }

    /// <summary>The locator holds where data is, never how to get in: no credentials in endpoints.</summary>
    public void NoSecrets(JsonElement location, string field)
    {
        foreach (var property in Flatten(location))
        {
            if (SecretName().IsMatch(property))
            {
                Add(field, $"{MeshNames.Quote(property)} looks like a credential; endpoints hold locations only, never secrets.");
            }
        }
    }

    /// <summary>Product ids are <c>&lt;domain&gt;.&lt;name&gt;</c>; a name becomes kebab case.</summary>
    public static string Slug(string name) => NonSlug().Replace(name.ToLowerInvariant(), "-").Trim('-');

    /// <summary>An output's SQL: the text of its transform, as long as the lineage binder takes, and only with the transform it comes from.</summary>
    private void Sql(ProductOutputDto output, string field)
    {
        if (output.Sql is not { } sql)
        {
            return;
        }

        if (output.Transform is null)
        {
            Add(field + ".sql", "'sql' is the text of the output's 'transform' file: name the file in 'transform' too.");
        }
        else if (sql.Length > LineageAnalyzer.MaxSqlLength)
        {
            Add(field + ".sql", $"'sql' is {sql.Length:N0} characters long; at most {LineageAnalyzer.MaxSqlLength:N0} are taken.");
        }
        else if (sql.Contains('\0', StringComparison.Ordinal))
        {
            Add(field + ".sql", "'sql' holds a NUL character.");
        }
    }

    private string? File(string path, string productId, string field, LocationRules rules) =>
        rules.File(path, productId, out var reason) ?? Refuse(field, reason!);

    private string? Refuse(string field, string message)
    {
        Add(field, message);
        return null;
    }

    private static IEnumerable<string> Flatten(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => new[] { p.Name }.Concat(Flatten(p.Value))),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Flatten),
        _ => [],
    };

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NonSlug();

    [GeneratedRegex("(?i)password|passwd|secret|token|api[_-]?key|credential")]
    private static partial Regex SecretName();
}
