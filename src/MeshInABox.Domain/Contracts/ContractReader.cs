using System.Globalization;
using MeshInABox.Domain.Contracts.Standard;
using MeshInABox.Domain.Documents;
using MeshInABox.Domain.Versioning;
using Semver;
using YamlDotNet.RepresentationModel;

namespace MeshInABox.Domain.Contracts;

/// <summary>
/// Reads an ODCS v3.0.x / v3.1.0 contract (YAML or JSON) into <see cref="DataContract"/>,
/// reporting each violation of the standard of its declared apiVersion (<see cref="OdcsRules"/>) and of the
/// mesh's own policies (SemVer versions, unique names), each with its position, rule and fix.
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
        var errors = new List<DocumentError>();
        var declared = NodeReader.Child(root, "apiVersion") is YamlScalarNode { Value: { } text } ? text : null;
        var standard = OdcsVersion.Find(declared);
        if (NodeReader.Child(root, "apiVersion") is { } apiVersionNode && standard is null)
        {
            errors.Add(new DocumentError(StructuredText.Locate(file, apiVersionNode),
                $"Unknown ODCS apiVersion '{declared}': supported are {string.Join(", ", DataContract.SupportedApiVersions)}.", "apiVersion")
            {
                Rule = OdcsRules.RuleOf(OdcsVersion.Latest),
            });
        }

        // Without a known apiVersion the rest is judged by the latest version, so one run still reports it all.
        errors.AddRange(StandardErrors(root, file, standard ?? OdcsVersion.Latest));
        errors.AddRange(MeshPolicyErrors(root, file, out var version));

        // The typed view reads leniently: what is wrong was reported above, once, by the rules that own it.
        var reader = new NodeReader(file);
        var description = NodeReader.Child(root, "description") as YamlMappingNode;
        var team = NodeReader.Child(root, "team");
        var contract = new DataContract(root, file)
        {
            ApiVersion = declared,
            Standard = standard,
            Kind = reader.String(root, "kind", ""),
            Id = reader.String(root, "id", ""),
            VersionText = reader.String(root, "version", ""),
            Version = version,
            Status = reader.String(root, "status", ""),
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
        return new Result(contract, errors);
    }

    /// <summary>The mesh policy that a contract's version is SemVer 2.0 (the standard only asks for text).</summary>
    public const string SemVerRule = "contract-semver";

    /// <summary>The mesh policy that objects and properties are uniquely named (ignoring case), so rows map to columns one way.</summary>
    public const string UniqueNamesRule = "contract-unique-names";

    /// <summary>
    /// The declared version's rules. A v3.0.x contract that breaks them but is valid v3.1.0 is written in
    /// v3.1.0's forms (team as an object, metric rules...): each error then says to declare v3.1.0.
    /// </summary>
    private static IReadOnlyList<DocumentError> StandardErrors(YamlMappingNode root, string file, OdcsVersion standard)
    {
        var errors = OdcsRules.Validate(root, file, standard);
        if (errors.Count == 0 || standard.IsV31 || OdcsRules.Validate(root, file, OdcsVersion.V310).Count > 0)
        {
            return errors;
        }

        return [.. errors.Select(e => e with { Message = $"{e.Message} The contract is valid ODCS v3.1.0: declare apiVersion: v3.1.0." })];
    }

    /// <summary>What the mesh asks beyond the standard: a SemVer version, and names unique within their list.</summary>
    private static List<DocumentError> MeshPolicyErrors(YamlMappingNode root, string file, out SemVersion? version)
    {
        var errors = new List<DocumentError>();
        version = null;
        if (NodeReader.Child(root, "version") is YamlScalarNode { Value: { Length: > 0 } versionText } versionNode && !YamlScalars.IsNull(versionNode)
            && (version = VersionNumbers.Parse(versionText, out var versionError)) is null)
        {
            errors.Add(new DocumentError(StructuredText.Locate(file, versionNode), versionError!, "version") { Rule = SemVerRule });
        }

        if (NodeReader.Child(root, "schema") is YamlSequenceNode objects)
        {
            ReportDuplicateNames(errors, file, objects, "schema", "schema object");
            for (var i = 0; i < objects.Children.Count; i++)
            {
                if (objects.Children[i] is YamlMappingNode item && NodeReader.Child(item, "properties") is YamlSequenceNode properties)
                {
                    ReportDuplicatePropertyNames(errors, file, properties, $"schema[{i}].properties");
                }
            }
        }

        return errors;
    }

    private static void ReportDuplicatePropertyNames(List<DocumentError> errors, string file, YamlSequenceNode properties, string path)
    {
        ReportDuplicateNames(errors, file, properties, path, "property");
        for (var i = 0; i < properties.Children.Count; i++)
        {
            if (properties.Children[i] is YamlMappingNode item && NodeReader.Child(item, "properties") is YamlSequenceNode nested)
            {
                ReportDuplicatePropertyNames(errors, file, nested, $"{path}[{i}].properties");
            }
        }
    }

    private static void ReportDuplicateNames(List<DocumentError> errors, string file, YamlSequenceNode items, string path, string what)
    {
        var named = items.Children.OfType<YamlMappingNode>()
            .Select(item => (Item: item, Name: NodeReader.Child(item, "name") is YamlScalarNode { Value: { } name } ? name : null))
            .Where(i => i.Name is not null);
        foreach (var group in named.GroupBy(i => i.Name!, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            var first = group.First().Item;
            foreach (var duplicate in group.Skip(1))
            {
                errors.Add(new DocumentError(StructuredText.Locate(file, duplicate.Item),
                    $"Duplicate {what} '{group.Key}' (first defined at line {first.Start.Line}): rename one; names are unique ignoring case.",
                    $"{path}[{group.Key}]") { Rule = UniqueNamesRule });
            }
        }
    }

    private static List<SchemaObject> ReadObjects(NodeReader reader, YamlSequenceNode? sequence)
    {
        var objects = new List<SchemaObject>();
        foreach (var (item, path) in reader.Mappings(sequence, "schema"))
        {
            var name = reader.String(item, "name", path);
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

        return objects;
    }

    private static List<SchemaProperty> ReadProperties(NodeReader reader, YamlSequenceNode? sequence, string basePath)
    {
        var properties = new List<SchemaProperty>();
        foreach (var (item, path) in reader.Mappings(sequence, basePath))
        {
            var name = reader.String(item, "name", path);
            var logicalTypeText = reader.String(item, "logicalType", path);
            LogicalType? logicalType = null;
            if (logicalTypeText is not null && TryParseLogicalType(logicalTypeText, out var parsed))
            {
                logicalType = parsed;
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

        return properties;
    }

    private static List<QualityRule> ReadQuality(NodeReader reader, YamlSequenceNode? sequence, string basePath)
    {
        var rules = new List<QualityRule>();
        foreach (var (item, path) in reader.Mappings(sequence, basePath))
        {
            var metric = reader.String(item, "metric", path) ?? reader.String(item, "rule", path);
            var operators = QualityRule.Operators.Where(op => NodeReader.Child(item, op) is not null).ToList();
            var op = operators.Count == 1 ? operators[0] : null;
            var (operands, operandText) = op is null ? ([], null) : ReadOperands(NodeReader.Child(item, op)!);
            rules.Add(new QualityRule(
                reader.String(item, "type", path) ?? "library", reader.String(item, "name", path), metric, reader.String(item, "query", path),
                op, operands, operandText,
                ReadValidValues(item),
                reader.String(item, "dimension", path),
                reader.String(item, "severity", path),
                reader.String(item, "description", path),
                reader.At(item))
            {
                Unit = reader.String(item, "unit", path),
                Arguments = NodeReader.Child(item, "arguments") is { } arguments ? Canonical(arguments) : null,
                Engine = reader.String(item, "engine", path),
                Implementation = NodeReader.Child(item, "implementation") is { } implementation ? Canonical(implementation) : null,
            });
        }

        return rules;
    }

    private static (IReadOnlyList<decimal>, string?) ReadOperands(YamlNode node)
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
            return numbers.Count == 2 && numbers.All(n => n is not null) ? ([.. numbers.Select(n => n!.Value)], null) : ([], Canonical(node));
        }

        return ([], Canonical(node));
    }

    /// <summary>A node's data on one line, for comparing values of any shape.</summary>
    private static string Canonical(YamlNode node) => YamlScalars.ToJson(node)?.ToJsonString() ?? "null";

    // A null among valid values (the standard's own example has one) allows a missing value, which
    // 'required' governs already; the allowed values are the others.
    private static List<string>? ReadValidValues(YamlMappingNode item) =>
        NodeReader.Child(item, "arguments") is YamlMappingNode arguments && NodeReader.Child(arguments, "validValues") is YamlSequenceNode values
            ? [.. values.Children.OfType<YamlScalarNode>().Where(v => !YamlScalars.IsNull(v)).Select(v => v.Value ?? "")]
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
            var property = reader.String(item, "property", path);
            if (property is not null)
            {
                // The standard allows a null value (a promise still to be set).
                var value = NodeReader.Child(item, "value") is YamlScalarNode { Value: { } text } valueNode && !YamlScalars.IsNull(valueNode) ? text : "";
                sla.Add(new SlaProperty(property, value, reader.String(item, "unit", path), reader.String(item, "element", path), reader.At(item))
                {
                    Driver = reader.String(item, "driver", path),
                });
            }
        }

        return sla;
    }

    private static List<ContractServer> ReadServers(NodeReader reader, YamlSequenceNode? sequence)
    {
        var servers = new List<ContractServer>();
        foreach (var (item, path) in reader.Mappings(sequence, "servers"))
        {
            var server = reader.String(item, "server", path);
            if (server is not null)
            {
                servers.Add(new ContractServer(server, reader.String(item, "type", path), reader.At(item)));
            }
        }

        return servers;
    }

    // ODCS writes logical types in lower case ("integer"); numbers are not type names.
    private static bool TryParseLogicalType(string text, out LogicalType type) =>
        Enum.TryParse(text, ignoreCase: true, out type) && text == text.ToLowerInvariant() && !char.IsDigit(text[0]);
}
