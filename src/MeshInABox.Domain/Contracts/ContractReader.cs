using System.Globalization;
using MeshInABox.Domain.Documents;
using MeshInABox.Domain.Versioning;
using Semver;
using YamlDotNet.RepresentationModel;

namespace MeshInABox.Domain.Contracts;

/// <summary>
/// Reads an ODCS v3.0.x / v3.1.0 contract (YAML or JSON) into <see cref="DataContract"/>,
/// reporting each violation of the standard with its position.
/// </summary>
public static class ContractReader
{
    public sealed record Result(DataContract Contract, IReadOnlyList<DocumentError> Errors)
    {
        public bool IsValid => Errors.Count == 0;
    }

    /// <exception cref="DocumentParseException">The text is not well-formed JSON or YAML.</exception>
    public static Result Read(string text, string file) => Read(StructuredText.ParseMapping(text, file), file);

    public static Result Read(YamlMappingNode root, string file)
    {
        var reader = new NodeReader(file);
        var apiVersion = reader.String(root, "apiVersion", "", required: true);
        if (apiVersion is not null && !DataContract.SupportedApiVersions.Contains(apiVersion))
        {
            reader.Error(NodeReader.Child(root, "apiVersion")!, "apiVersion",
                $"Unknown ODCS apiVersion '{apiVersion}': supported are {string.Join(", ", DataContract.SupportedApiVersions)}.");
        }

        var kind = reader.String(root, "kind", "", required: true);
        if (kind is not null && kind != "DataContract")
        {
            reader.Error(NodeReader.Child(root, "kind")!, "kind", $"kind must be 'DataContract', found '{kind}'.");
        }

        var versionText = reader.String(root, "version", "", required: true);
        SemVersion? version = null;
        if (versionText is not null && (version = VersionNumbers.Parse(versionText, out var versionError)) is null)
        {
            reader.Error(NodeReader.Child(root, "version")!, "version", versionError!);
        }

        var description = reader.Mapping(root, "description", "");
        var team = NodeReader.Child(root, "team");
        var contract = new DataContract(root, file)
        {
            ApiVersion = apiVersion,
            Kind = kind,
            Id = reader.String(root, "id", "", required: true),
            VersionText = versionText,
            Version = version,
            Status = reader.String(root, "status", "", required: true),
            Name = reader.String(root, "name", ""),
            Domain = reader.String(root, "domain", ""),
            DataProduct = reader.String(root, "dataProduct", ""),
            Purpose = description is null ? null : reader.String(description, "purpose", "description"),
            Tags = reader.Strings(root, "tags", ""),
            // team is a list of members in v3.0 and an object with a name in v3.1.
            TeamName = team is YamlMappingNode teamMap ? reader.String(teamMap, "name", "team") : null,
            Schema = ReadObjects(reader, reader.Sequence(root, "schema", "")),
            Sla = ReadSla(reader, reader.Sequence(root, "slaProperties", "")),
            Servers = ReadServers(reader, reader.Sequence(root, "servers", "")),
        };
        return new Result(contract, reader.Errors);
    }

    private static List<SchemaObject> ReadObjects(NodeReader reader, YamlSequenceNode? sequence)
    {
        var objects = new List<SchemaObject>();
        foreach (var (item, path) in reader.Mappings(sequence, "schema"))
        {
            var name = reader.String(item, "name", path, required: true);
            var properties = ReadProperties(reader, reader.Sequence(item, "properties", path), NodeReader.Join(path, "properties"));
            var quality = ReadQuality(reader, reader.Sequence(item, "quality", path), NodeReader.Join(path, "quality"));
            if (name is not null)
            {
                objects.Add(new SchemaObject(
                    name,
                    reader.String(item, "physicalName", path),
                    reader.String(item, "physicalType", path),
                    reader.String(item, "description", path),
                    reader.Strings(item, "tags", path),
                    properties, quality, reader.At(item)));
            }
        }

        ReportDuplicates(reader, objects.Select(o => (o.Name, o.At)), "schema object", "schema");
        return objects;
    }

    private static List<SchemaProperty> ReadProperties(NodeReader reader, YamlSequenceNode? sequence, string basePath)
    {
        var properties = new List<SchemaProperty>();
        foreach (var (item, path) in reader.Mappings(sequence, basePath))
        {
            var name = reader.String(item, "name", path, required: true);
            var logicalTypeText = reader.String(item, "logicalType", path);
            LogicalType? logicalType = null;
            if (logicalTypeText is not null)
            {
                if (TryParseLogicalType(logicalTypeText, out var parsed))
                {
                    logicalType = parsed;
                }
                else
                {
                    reader.Error(NodeReader.Child(item, "logicalType")!, NodeReader.Join(path, "logicalType"),
                        $"Unknown logicalType '{logicalTypeText}': use one of {string.Join(", ", Enum.GetNames<LogicalType>().Select(n => n.ToLowerInvariant()))}.");
                }
            }

            var options = new Dictionary<string, string>(StringComparer.Ordinal);
            if (reader.Mapping(item, "logicalTypeOptions", path) is { } optionNode)
            {
                foreach (var (key, value) in optionNode.Children)
                {
                    if (key is YamlScalarNode { Value: { } k } && value is YamlScalarNode { Value: { } v })
                    {
                        options[k] = v;
                    }
                }
            }

            var nested = ReadProperties(reader, reader.Sequence(item, "properties", path), NodeReader.Join(path, "properties"));
            var quality = ReadQuality(reader, reader.Sequence(item, "quality", path), NodeReader.Join(path, "quality"));
            if (name is not null)
            {
                properties.Add(new SchemaProperty(
                    name, logicalType,
                    reader.String(item, "physicalType", path),
                    reader.Bool(item, "required", path) ?? false,
                    reader.Bool(item, "unique", path) ?? false,
                    reader.Bool(item, "primaryKey", path) ?? false,
                    reader.Integer(item, "primaryKeyPosition", path),
                    reader.Bool(item, "partitioned", path) ?? false,
                    reader.String(item, "classification", path),
                    reader.String(item, "description", path),
                    reader.Strings(item, "tags", path),
                    ReadExamples(item),
                    options, quality, nested, reader.At(item)));
            }
        }

        ReportDuplicates(reader, properties.Select(p => (p.Name, p.At)), "property", basePath);
        return properties;
    }

    private static List<QualityRule> ReadQuality(NodeReader reader, YamlSequenceNode? sequence, string basePath)
    {
        var rules = new List<QualityRule>();
        foreach (var (item, path) in reader.Mappings(sequence, basePath))
        {
            var metric = reader.String(item, "metric", path) ?? reader.String(item, "rule", path);
            var type = reader.String(item, "type", path) ?? "library";
            var query = reader.String(item, "query", path);
            var operators = QualityRule.Operators.Where(op => NodeReader.Child(item, op) is not null).ToList();

            switch (type)
            {
                case "library":
                    if (metric is null)
                    {
                        reader.Error(item, path, "A library quality rule needs a 'metric': " + string.Join(", ", QualityRule.Metrics) + ".");
                    }
                    else if (!QualityRule.Metrics.Contains(metric))
                    {
                        reader.Error(NodeReader.Child(item, "metric") ?? item, NodeReader.Join(path, "metric"),
                            $"Unknown metric '{metric}': use one of {string.Join(", ", QualityRule.Metrics)}.");
                    }

                    RequireOneOperator(reader, item, path, operators);
                    break;
                case "sql":
                    if (string.IsNullOrWhiteSpace(query))
                    {
                        reader.Error(item, path, "A sql quality rule needs a 'query'.");
                    }

                    RequireOneOperator(reader, item, path, operators);
                    break;
                case "text" or "custom":
                    break;
                default:
                    reader.Error(NodeReader.Child(item, "type")!, NodeReader.Join(path, "type"),
                        $"Unknown quality type '{type}': use library, sql, text or custom.");
                    break;
            }

            var op = operators.Count == 1 ? operators[0] : null;
            var (operands, operandText) = op is null ? ([], null) : ReadOperands(reader, NodeReader.Child(item, op)!, NodeReader.Join(path, op));
            rules.Add(new QualityRule(
                type, reader.String(item, "name", path), metric, query, op, operands, operandText,
                ReadValidValues(reader, item, path),
                reader.String(item, "dimension", path),
                reader.String(item, "severity", path),
                reader.String(item, "description", path),
                reader.At(item)));
        }

        return rules;
    }

    private static void RequireOneOperator(NodeReader reader, YamlMappingNode item, string path, List<string> operators)
    {
        if (operators.Count != 1)
        {
            reader.Error(item, path, operators.Count == 0
                ? $"A quality rule needs exactly one operator: {string.Join(", ", QualityRule.Operators)}."
                : $"A quality rule takes exactly one operator, found {string.Join(" and ", operators)}.");
        }
    }

    private static (IReadOnlyList<decimal>, string?) ReadOperands(NodeReader reader, YamlNode node, string path)
    {
        if (node is YamlScalarNode { Value: { } text })
        {
            return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? ([number], text) : ([], text);
        }

        if (node is YamlSequenceNode sequence)
        {
            var numbers = sequence.Children.OfType<YamlScalarNode>()
                .Select(s => decimal.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? (decimal?)n : null)
                .ToList();
            if (numbers.Count != 2 || numbers.Any(n => n is null))
            {
                reader.Error(node, path, "A between operator takes two numbers, smallest first: [min, max].");
                return ([], null);
            }

            return ([.. numbers.Select(n => n!.Value)], null);
        }

        reader.Error(node, path, $"Operator value must be a number or text, found {StructuredText.Describe(node)}.");
        return ([], null);
    }

    private static List<string>? ReadValidValues(NodeReader reader, YamlMappingNode item, string path) =>
        reader.Mapping(item, "arguments", path) is { } arguments && NodeReader.Child(arguments, "validValues") is not null
            ? [.. reader.Strings(arguments, "validValues", NodeReader.Join(path, "arguments"))]
            : null;

    private static List<string> ReadExamples(YamlMappingNode item) =>
        NodeReader.Child(item, "examples") is YamlSequenceNode examples
            ? [.. examples.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "")]
            : [];

    private static List<SlaProperty> ReadSla(NodeReader reader, YamlSequenceNode? sequence)
    {
        var sla = new List<SlaProperty>();
        foreach (var (item, path) in reader.Mappings(sequence, "slaProperties"))
        {
            var property = reader.String(item, "property", path, required: true);
            var value = reader.String(item, "value", path, required: true);
            if (property is not null && value is not null)
            {
                sla.Add(new SlaProperty(property, value, reader.String(item, "unit", path), reader.String(item, "element", path), reader.At(item)));
            }
        }

        return sla;
    }

    private static List<ContractServer> ReadServers(NodeReader reader, YamlSequenceNode? sequence)
    {
        var servers = new List<ContractServer>();
        foreach (var (item, path) in reader.Mappings(sequence, "servers"))
        {
            var server = reader.String(item, "server", path, required: true);
            if (server is not null)
            {
                servers.Add(new ContractServer(server, reader.String(item, "type", path), reader.At(item)));
            }
        }

        return servers;
    }

    private static void ReportDuplicates(NodeReader reader, IEnumerable<(string Name, SourceLocation At)> items, string what, string path)
    {
        foreach (var group in items.GroupBy(i => i.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            var first = group.First().At;
            foreach (var duplicate in group.Skip(1))
            {
                reader.Error(duplicate.At, $"{path}[{group.Key}]", $"Duplicate {what} '{group.Key}' (first defined at line {first.Line}).");
            }
        }
    }

    // ODCS writes logical types in lower case ("integer"); numbers are not type names.
    private static bool TryParseLogicalType(string text, out LogicalType type) =>
        Enum.TryParse(text, ignoreCase: true, out type) && text == text.ToLowerInvariant() && !char.IsDigit(text[0]);
}
