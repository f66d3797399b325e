using MeshInABox.Domain.Documents;
using Semver;
using YamlDotNet.RepresentationModel;

namespace MeshInABox.Domain.Contracts;

/// <summary>
/// An ODCS v3 data contract. The typed fields are a view over the document
/// tree, which is kept whole: writing the contract back loses no field, even
/// those this model does not interpret (customProperties, x- extensions...).
/// </summary>
public sealed class DataContract
{
    public static readonly IReadOnlyList<string> SupportedApiVersions = ["v3.0.0", "v3.0.1", "v3.0.2", "v3.1.0"];

    internal DataContract(YamlMappingNode document, string file)
    {
        Document = document;
        File = file;
    }

    /// <summary>The contract as written; the source of truth for <see cref="ToYaml"/>.</summary>
    public YamlMappingNode Document { get; }

    public string File { get; }

    public string? ApiVersion { get; internal init; }

    /// <summary>The standard the contract was checked against: its declared apiVersion, when supported.</summary>
    public Standard.OdcsVersion? Standard { get; internal init; }

    public string? Kind { get; internal init; }

    public string? Id { get; internal init; }

    public string? VersionText { get; internal init; }

    /// <summary>The contract's version, when it is valid SemVer 2.0.</summary>
    public SemVersion? Version { get; internal init; }

    public string? Status { get; internal init; }

    public string? Name { get; internal init; }

    public string? Domain { get; internal init; }

    public string? DataProduct { get; internal init; }

    public string? Purpose { get; internal init; }

    public IReadOnlyList<string> Tags { get; internal init; } = [];

    public IReadOnlyList<SchemaObject> Schema { get; internal init; } = [];

    public IReadOnlyList<SlaProperty> Sla { get; internal init; } = [];

    public IReadOnlyList<ContractServer> Servers { get; internal init; } = [];

    public string? TeamName { get; internal init; }

    public SourceLocation Location => StructuredText.Locate(File, Document);

    public SourceLocation LocationOf(string field) =>
        NodeReader.Child(Document, field) is { } node ? StructuredText.Locate(File, node) : Location;

    public SchemaObject? Object(string name) =>
        Schema.FirstOrDefault(o => string.Equals(o.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The object describing an output: the one named like it, or the only one.</summary>
    public SchemaObject? ObjectFor(string outputName) => Object(outputName) ?? (Schema.Count == 1 ? Schema[0] : null);

    /// <summary>Every property, nested ones included, with its dotted path.</summary>
    public IEnumerable<(string Path, SchemaProperty Property)> AllProperties() =>
        Schema.SelectMany(o => Flatten(o.Name, o.Properties));

    public string ToYaml() => ContractWriter.Write(Document);

    private static IEnumerable<(string, SchemaProperty)> Flatten(string prefix, IReadOnlyList<SchemaProperty> properties) =>
        properties.SelectMany(p => new[] { ($"{prefix}.{p.Name}", p) }.Concat(Flatten($"{prefix}.{p.Name}", p.Properties)));
}

/// <summary>A table, file, topic or document type described by the contract (ODCS <c>schema[]</c>).</summary>
public sealed record SchemaObject(
    string Name,
    string? PhysicalName,
    string? PhysicalType,
    string? Description,
    IReadOnlyList<string> Tags,
    IReadOnlyList<SchemaProperty> Properties,
    IReadOnlyList<QualityRule> Quality,
    SourceLocation At)
{
    public SchemaProperty? Property(string name) =>
        Properties.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>A column or field (ODCS <c>properties[]</c>).</summary>
public sealed record SchemaProperty(
    string Name,
    LogicalType? LogicalType,
    string? PhysicalType,
    bool Required,
    bool Unique,
    bool PrimaryKey,
    long? PrimaryKeyPosition,
    bool Partitioned,
    string? Classification,
    string? Description,
    IReadOnlyList<string> Tags,
    IReadOnlyList<string> Examples,
    IReadOnlyDictionary<string, string> LogicalTypeOptions,
    IReadOnlyList<QualityRule> Quality,
    IReadOnlyList<SchemaProperty> Properties,
    SourceLocation At)
{
    /// <summary>Allowed values, from an <c>invalidValues</c> rule's <c>arguments.validValues</c>.</summary>
    public IReadOnlyList<string>? AllowedValues =>
        Quality.FirstOrDefault(q => q.Metric == "invalidValues" && q.ValidValues is not null)?.ValidValues;
}

/// <summary>ODCS logical types.</summary>
public enum LogicalType
{
    String,
    Date,
    Timestamp,
    Time,
    Number,
    Integer,
    Object,
    Array,
    Boolean,
}

/// <summary>A data quality rule: a library metric or SQL with one comparison operator, or text/custom.</summary>
public sealed record QualityRule(
    string Type,
    string? Name,
    string? Metric,
    string? Query,
    string? Operator,
    IReadOnlyList<decimal> Operands,
    string? OperandText,
    IReadOnlyList<string>? ValidValues,
    string? Dimension,
    string? Severity,
    string? Description,
    SourceLocation At)
{
    public static readonly IReadOnlyList<string> Operators =
        ["mustBe", "mustNotBe", "mustBeGreaterThan", "mustBeGreaterOrEqualTo", "mustBeLessThan", "mustBeLessOrEqualTo", "mustBeBetween", "mustNotBeBetween"];

    public static readonly IReadOnlyList<string> Metrics = ["nullValues", "missingValues", "invalidValues", "duplicateValues", "rowCount"];

    public string? Unit { get; init; }

    /// <summary>The rule's <c>arguments</c> (validValues, ...) as one line of JSON, when it has any.</summary>
    public string? Arguments { get; init; }

    public string? Engine { get; init; }

    /// <summary>A custom rule's implementation as one line of JSON.</summary>
    public string? Implementation { get; init; }

    /// <summary>How the rule is named in change paths: its name, else its metric, query or description.</summary>
    public string Key => Name ?? Metric ?? Query?.Trim() ?? Description ?? Type;

    /// <summary>
    /// What identifies "the same rule" across two versions of a contract: its name, else everything that
    /// says what it checks (type, metric, arguments, query, engine and implementation), but not the
    /// threshold, so a changed threshold is a changed rule rather than one removed and one added.
    /// </summary>
    public string Identity => Name is not null
        ? "name:" + Name
        : string.Join("|", new[] { Type, Metric, Arguments, Query?.Trim(), Engine, Implementation, Metric is null && Query is null ? Description : null }
            .Select(part => part ?? ""));
}

/// <summary>A service-level property: latency (freshness), frequency, retention, availability...</summary>
public sealed record SlaProperty(string Property, string Value, string? Unit, string? Element, SourceLocation At)
{
    /// <summary>Why the promise is made (regulatory, analytics, operational): two promises may differ only in it.</summary>
    public string? Driver { get; init; }
}

/// <summary>Where the data is served (ODCS <c>servers[]</c>).</summary>
public sealed record ContractServer(string Server, string? Type, SourceLocation At);
