using System.Text.RegularExpressions;
using MeshInABox.Domain.Documents;
using YamlDotNet.RepresentationModel;

namespace MeshInABox.Domain.Contracts.Standard;

/// <summary>
/// The Open Data Contract Standard of one version, as its official JSON Schema states it, checked over the
/// document tree so every violation points at its line and column and says how to fix it. The rules are
/// written out here rather than loaded from the schema files: the messages can then name the fix, and
/// the official schemas stay a test oracle that these rules must agree with on the standard's examples.
/// Formats (uri, date, date-time) are annotations in the schema's draft (2019-09) and are not checked.
/// </summary>
public sealed partial class OdcsRules
{
    private delegate void Check(YamlNode node, string path);

    private readonly OdcsVersion _version;
    private readonly string _file;
    private readonly List<DocumentError> _errors = [];

    private OdcsRules(OdcsVersion version, string file)
    {
        _version = version;
        _file = file;
    }

    /// <summary>The rule id findings carry: the standard and its version.</summary>
    public static string RuleOf(OdcsVersion version) => $"odcs-{version.Name}";

    public static readonly IReadOnlyList<string> QualityOperators =
        ["mustBe", "mustNotBe", "mustBeGreaterThan", "mustBeGreaterOrEqualTo", "mustBeLessThan", "mustBeLessOrEqualTo", "mustBeBetween", "mustNotBeBetween"];

    public static readonly IReadOnlyList<string> LibraryMetrics = ["nullValues", "missingValues", "invalidValues", "duplicateValues", "rowCount"];

    /// <summary>Every violation of <paramref name="version"/> in the document.</summary>
    public static IReadOnlyList<DocumentError> Validate(YamlMappingNode root, string file, OdcsVersion version)
    {
        var rules = new OdcsRules(version, file);
        rules.Contract(root);
        return rules._errors;
    }

    private void Fail(YamlNode node, string path, string message) =>
        _errors.Add(new DocumentError(StructuredText.Locate(_file, node), message, path) { Rule = RuleOf(_version) });

    // ---- the contract -------------------------------------------------------------------------------

    private static readonly string[] Fundamentals = ["apiVersion", "kind", "version", "id", "status"];

    private void Contract(YamlMappingNode root)
    {
        var fields = new Dictionary<string, Check>
        {
            ["apiVersion"] = Text, ["kind"] = OneOf("DataContract"), ["version"] = Text, ["id"] = Text, ["status"] = Text,
            ["name"] = Text, ["tenant"] = Text, ["domain"] = Text, ["dataProduct"] = Text,
            ["contractCreatedTs"] = Text, ["slaDefaultElement"] = Text,
            ["tags"] = Tags, ["description"] = Description, ["price"] = Price,
            ["roles"] = ListOf(Role), ["schema"] = ListOf(SchemaObject), ["servers"] = ListOf(Server),
            ["slaProperties"] = ListOf(Sla), ["support"] = ListOf(SupportItem), ["team"] = Team,
            ["customProperties"] = CustomProperties,
        };
        if (_version.HasContractDefinitions)
        {
            fields["authoritativeDefinitions"] = AuthoritativeDefinitions;
        }

        // The top level is closed in every version, v3.0.x included.
        Object(root, "", "the contract", fields, Fundamentals, closed: true);
    }

    private void Description(YamlNode node, string path)
    {
        var fields = new Dictionary<string, Check> { ["purpose"] = Text, ["usage"] = Text, ["limitations"] = Text };
        if (_version.HasContractDefinitions)
        {
            fields["authoritativeDefinitions"] = AuthoritativeDefinitions;
            fields["customProperties"] = CustomProperties;
        }

        Object(node, path, "the description (purpose, usage, limitations)", fields, [], closed: false);
    }

    private void Price(YamlNode node, string path) =>
        Object(node, path, "the price", WithId(new() { ["priceAmount"] = Number, ["priceCurrency"] = Text, ["priceUnit"] = Text }), [], _version.IsClosed);

    private void Role(YamlNode node, string path)
    {
        var fields = WithId(new()
        {
            ["role"] = Text, ["description"] = Text, ["access"] = Text, ["firstLevelApprovers"] = Text, ["secondLevelApprovers"] = Text,
        });
        if (_version.HasContractDefinitions)
        {
            fields["customProperties"] = CustomProperties;
        }

        Object(node, path, "a role", fields, ["role"], _version.IsClosed);
    }

    private void Sla(YamlNode node, string path)
    {
        var fields = WithId(new()
        {
            ["property"] = Text, ["value"] = AnyScalar, ["valueExt"] = AnyScalar, ["unit"] = Text, ["element"] = Text, ["driver"] = Text,
        });
        if (_version.IsV31)
        {
            fields["description"] = Text;
            fields["schedule"] = Text;
            fields["scheduler"] = Text;
        }

        Object(node, path, "an SLA property", fields, ["property", "value"], _version.IsClosed);
    }

    private void SupportItem(YamlNode node, string path)
    {
        var fields = WithId(new()
        {
            ["channel"] = Text, ["url"] = Text, ["description"] = Text, ["tool"] = Text, ["scope"] = Text, ["invitationUrl"] = Text,
        });
        if (_version.IsV31)
        {
            fields["customProperties"] = CustomProperties;
        }

        // v3.1.0 made the url optional (a channel can be a mailing list name).
        Object(node, path, "a support channel", fields, _version.IsV31 ? ["channel"] : ["channel", "url"], _version.IsClosed);
    }

    private void Team(YamlNode node, string path)
    {
        if (!_version.IsV31)
        {
            if (node is YamlSequenceNode)
            {
                ListOf(TeamMemberV30)(node, path);
            }
            else
            {
                Fail(node, path, $"'team' must be a list of members (username, role...) in ODCS {_version}, found {Describe(node)}; a team object (name, members) is ODCS v3.1.0.");
            }

            return;
        }

        switch (node)
        {
            case YamlMappingNode:
                Object(node, path, "the team", WithId(new()
                {
                    ["name"] = Text, ["description"] = Text, ["members"] = ListOf(TeamMember), ["tags"] = Tags,
                    ["authoritativeDefinitions"] = AuthoritativeDefinitions, ["customProperties"] = CustomProperties,
                }), [], closed: true);
                break;
            case YamlSequenceNode:
                ListOf(TeamMember)(node, path);
                break;
            default:
                Fail(node, path, $"'team' must be a team (name, members) or a list of members, found {Describe(node)}.");
                break;
        }
    }

    private void TeamMemberV30(YamlNode node, string path)
    {
        var fields = new Dictionary<string, Check>
        {
            ["username"] = Text, ["role"] = Text, ["dateIn"] = Text, ["dateOut"] = Text, ["replacedByUsername"] = Text,
        };
        if (_version.HasPropertyPhysicalName)
        {
            fields["name"] = Text;
            fields["description"] = Text;
        }

        Object(node, path, "a team member", fields, [], closed: false);
    }

    private void TeamMember(YamlNode node, string path) =>
        Object(node, path, "a team member", WithId(new()
        {
            ["username"] = Text, ["name"] = Text, ["description"] = Text, ["role"] = Text, ["dateIn"] = Text, ["dateOut"] = Text,
            ["replacedByUsername"] = Text, ["tags"] = Tags,
            ["authoritativeDefinitions"] = AuthoritativeDefinitions, ["customProperties"] = CustomProperties,
        }), ["username"], closed: true);

    private void AuthoritativeDefinitions(YamlNode node, string path) =>
        ListOf((item, itemPath) =>
        {
            var fields = WithId(new() { ["type"] = Text, ["url"] = Text });
            if (_version.IsV31)
            {
                fields["description"] = Text;
            }

            Object(item, itemPath, "an authoritative definition", fields, ["url", "type"], _version.IsClosed);
        })(node, path);

    private void CustomProperties(YamlNode node, string path) =>
        ListOf((item, itemPath) =>
        {
            var fields = WithId(new() { ["property"] = Text, ["value"] = Any });
            if (_version.IsV31)
            {
                fields["description"] = Text;
            }

            Object(item, itemPath, "a custom property", fields, _version.IsV31 ? ["property", "value"] : [], _version.IsClosed);
        })(node, path);

    private void Tags(YamlNode node, string path) => ListOf(Text)(node, path);

    // ---- schema objects and properties ----------------------------------------------------------------

    private Dictionary<string, Check> SchemaElementFields() => WithId(new()
    {
        ["name"] = Text, ["physicalType"] = Text, ["description"] = Text, ["businessName"] = Text, ["tags"] = Tags,
        ["authoritativeDefinitions"] = AuthoritativeDefinitions, ["customProperties"] = CustomProperties,
    });

    private void SchemaObject(YamlNode node, string path)
    {
        var fields = SchemaElementFields();
        fields["physicalName"] = Text;
        fields["logicalType"] = OneOf("object");
        fields["dataGranularityDescription"] = Text;
        fields["properties"] = ListOf(Property);
        fields["quality"] = ListOf(Quality);
        if (_version.IsV31)
        {
            fields["relationships"] = ListOf(SchemaRelationship);
        }

        // Schema objects and properties are closed in every version (unevaluatedProperties: false).
        Object(node, path, "a schema object", fields, ["name"], closed: true);
    }

    private void Property(YamlNode node, string path) => BaseProperty(node, path, isItem: false);

    private void ItemProperty(YamlNode node, string path) => BaseProperty(node, path, isItem: true);

    private void BaseProperty(YamlNode node, string path, bool isItem)
    {
        if (node is not YamlMappingNode map)
        {
            Fail(node, path, $"Expected a property (a mapping with a name), found {Describe(node)}.");
            return;
        }

        var logicalType = NodeReader.Child(map, "logicalType");
        var fields = SchemaElementFields();
        foreach (var key in (string[])["physicalType", "classification", "encryptedName", "transformLogic", "transformDescription"])
        {
            fields[key] = Text;
        }

        foreach (var key in (string[])["required", "unique", "primaryKey", "partitioned", "criticalDataElement"])
        {
            fields[key] = Flag;
        }

        fields["primaryKeyPosition"] = Whole;
        fields["partitionKeyPosition"] = Whole;
        fields["transformSourceObjects"] = ListOf(Text);
        fields["examples"] = ListOf(Any);
        fields["quality"] = ListOf(Quality);
        fields["logicalType"] = LogicalType;
        fields["logicalTypeOptions"] = (options, optionsPath) => LogicalTypeOptions(options, optionsPath, logicalType);
        if (_version.HasPropertyPhysicalName)
        {
            fields["physicalName"] = Text;
        }

        if (_version.IsV31)
        {
            fields["relationships"] = ListOf(PropertyRelationship);
        }

        // The schema adds nested 'properties' and 'items' under conditions on logicalType, which hold
        // when the logicalType is that type or is not given at all (an 'if' on an absent field passes).
        if (TypeApplies(logicalType, "object") || isItem)
        {
            fields["properties"] = ListOf(Property);
        }

        if (TypeApplies(logicalType, "array"))
        {
            fields["items"] = ItemProperty;
        }

        Object(map, path, isItem ? "an array's items" : "a property", fields, isItem ? [] : ["name"], closed: true,
            unknownHint: key => key switch
            {
                "properties" => "nested properties need logicalType: object",
                "items" => "items need logicalType: array",
                _ => null,
            });
    }

    private static bool TypeApplies(YamlNode? logicalType, string type) =>
        logicalType is null || (IsText(logicalType) && ((YamlScalarNode)logicalType).Value == type);

    private IReadOnlyList<string> LogicalTypes => _version.IsV31
        ? ["string", "date", "timestamp", "time", "number", "integer", "object", "array", "boolean"]
        : ["string", "date", "number", "integer", "object", "array", "boolean"];

    private void LogicalType(YamlNode node, string path)
    {
        if (IsText(node) && LogicalTypes.Contains(((YamlScalarNode)node).Value!))
        {
            return;
        }

        var text = node is YamlScalarNode { Value: { } v } ? v : null;
        Fail(node, path, !_version.IsV31 && text is "timestamp" or "time"
            ? $"logicalType '{text}' is not in ODCS {_version} (it came with v3.1.0): use 'date' (with logicalTypeOptions.format), or declare apiVersion: v3.1.0."
            : $"Unknown logicalType {(text is null ? Describe(node) : $"'{text}'")}: use one of {string.Join(", ", LogicalTypes)}.");
    }

    /// <summary>The options each logical type takes; a property takes those of its type only.</summary>
    private IEnumerable<(string[] Types, Dictionary<string, Check> Options)> OptionSets()
    {
        yield return (["string"], new() { ["format"] = Text, ["pattern"] = Text, ["minLength"] = NonNegativeWhole, ["maxLength"] = NonNegativeWhole });

        // v3.0.x has boolean exclusive bounds for dates and numbers; v3.1.0 made them the bound itself.
        Check dateBound = _version.IsV31 ? Text : Flag;
        yield return (["date"], new()
        {
            ["format"] = Text, ["minimum"] = Text, ["maximum"] = Text, ["exclusiveMinimum"] = dateBound, ["exclusiveMaximum"] = dateBound,
        });
        if (_version.IsV31)
        {
            yield return (["timestamp", "time"], new()
            {
                ["format"] = Text, ["minimum"] = Text, ["maximum"] = Text, ["exclusiveMinimum"] = Text, ["exclusiveMaximum"] = Text,
                ["timezone"] = Flag, ["defaultTimezone"] = Text,
            });
        }

        Check numberBound = _version.IsV31 ? Number : Flag;
        Dictionary<string, Check> Numeric(params string[] formats) => new()
        {
            ["format"] = OneOf(formats), ["minimum"] = Number, ["maximum"] = Number,
            ["exclusiveMinimum"] = numberBound, ["exclusiveMaximum"] = numberBound, ["multipleOf"] = PositiveNumber,
        };
        yield return (["integer"], Numeric("i8", "i16", "i32", "i64", "i128", "u8", "u16", "u32", "u64", "u128"));
        yield return (["number"], Numeric("f32", "f64"));
        yield return (["object"], new()
        {
            ["minProperties"] = NonNegativeWhole, ["maxProperties"] = NonNegativeWhole, ["required"] = ListOf(Text, minItems: 1, unique: true),
        });
        yield return (["array"], new() { ["minItems"] = NonNegativeWhole, ["maxItems"] = NonNegativeWhole, ["uniqueItems"] = Flag });
    }

    private void LogicalTypeOptions(YamlNode node, string path, YamlNode? logicalType)
    {
        if (node is not YamlMappingNode options)
        {
            Fail(node, path, $"'logicalTypeOptions' must be a mapping, found {Describe(node)}.");
            return;
        }

        var applicable = OptionSets().Where(set => set.Types.Any(type => TypeApplies(logicalType, type))).ToList();
        if (applicable.Count == 0)
        {
            return; // boolean, or a logicalType the standard does not know (reported on its own).
        }

        foreach (var (keyNode, value) in options.Children)
        {
            var key = KeyOf(keyNode);
            var optionPath = NodeReader.Join(path, key);
            if (applicable.Any(set => !set.Options.ContainsKey(key)))
            {
                Fail(keyNode, optionPath, logicalType is null
                    ? $"Option '{key}' needs the property's logicalType: set logicalType (one of {string.Join(", ", LogicalTypes)}) to a type that takes it."
                    : $"'{key}' is not an option of logicalType '{((YamlScalarNode)logicalType).Value}' in ODCS {_version}: use {string.Join(", ", applicable[0].Options.Keys)}.");
                continue;
            }

            applicable[0].Options[key](value, optionPath);
        }
    }

    // ---- quality rules --------------------------------------------------------------------------------

    private void Quality(YamlNode node, string path)
    {
        if (node is not YamlMappingNode map)
        {
            Fail(node, path, $"Expected a quality rule (a mapping), found {Describe(node)}.");
            return;
        }

        var fields = WithId(new()
        {
            ["type"] = OneOf("text", "library", "sql", "custom"), ["name"] = Text, ["description"] = Text,
            ["dimension"] = OneOf("accuracy", "completeness", "conformity", "consistency", "coverage", "timeliness", "uniqueness"),
            ["method"] = Text, ["schedule"] = Text, ["scheduler"] = Text, ["severity"] = Text, ["businessImpact"] = Text, ["unit"] = Text,
            ["tags"] = Tags, ["authoritativeDefinitions"] = AuthoritativeDefinitions, ["customProperties"] = CustomProperties,
        });
        var type = NodeReader.Child(map, "type") is { } typeNode && IsText(typeNode) ? ((YamlScalarNode)typeNode).Value : null;
        var hasType = NodeReader.Child(map, "type") is not null;
        var required = new List<string>();
        bool library;
        if (_version.IsV31)
        {
            // A rule is a library rule when it says so or names a metric.
            library = type == "library" || (NodeReader.Child(map, "metric") is { } metric && IsText(metric));
            if (library)
            {
                fields["metric"] = Metric;
                fields["arguments"] = Mapping;
                fields["rule"] = Text;
                required.Add("metric");
            }

            if (library || type == "sql")
            {
                AddOperators(fields);
                RequireOneOperator(map, path);
            }
        }
        else
        {
            // In v3.0.x a rule without a type is a library rule, named by free text in 'rule' (nullCheck,
            // between...); no operator is required, and the rule object is open.
            library = !hasType || type == "library";
            if (library)
            {
                fields["rule"] = Text;
                AddOperators(fields);
                required.Add("rule");
            }
        }

        if (type == "sql")
        {
            fields["query"] = Text;
            required.Add("query");
        }

        if (type == "custom")
        {
            fields["engine"] = Text;
            fields["implementation"] = TextOrMapping;
            required.Add("engine");
            required.Add("implementation");
        }

        Object(map, path, "a quality rule", fields, required, _version.IsClosed,
            requiredMessage: key => key switch
            {
                "metric" => $"A library quality rule needs a 'metric': {string.Join(", ", LibraryMetrics)}.",
                "rule" => NodeReader.Child(map, "metric") is not null
                    ? $"A library quality rule in ODCS {_version} is named by 'rule' (free text such as nullCheck); 'metric' is ODCS v3.1.0: add 'rule', or declare apiVersion: v3.1.0."
                    : $"A library quality rule in ODCS {_version} needs a 'rule' (free text such as nullCheck, between); or set type: text, sql or custom.",
                "query" => "A sql quality rule needs a 'query'.",
                _ => null,
            },
            unknownHint: key => key switch
            {
                "rule" => "in v3.1.0 a library rule names its 'metric' (nullValues, invalidValues...) instead of a free-text 'rule'",
                _ when QualityOperators.Contains(key) => "operators apply to library (metric) and sql rules only",
                "metric" or "arguments" => "a library rule needs type: library or a 'metric' that is text",
                _ => null,
            });
    }

    private void AddOperators(Dictionary<string, Check> fields)
    {
        fields["mustBe"] = Any;
        fields["mustNotBe"] = Any;
        foreach (var op in (string[])["mustBeGreaterThan", "mustBeGreaterOrEqualTo", "mustBeLessThan", "mustBeLessOrEqualTo"])
        {
            fields[op] = Number;
        }

        fields["mustBeBetween"] = Range;
        fields["mustNotBeBetween"] = Range;
    }

    private void RequireOneOperator(YamlMappingNode map, string path)
    {
        var present = QualityOperators.Where(op => NodeReader.Child(map, op) is not null).ToList();
        if (present.Count != 1)
        {
            Fail(map, path, present.Count == 0
                ? $"A quality rule needs exactly one operator: {string.Join(", ", QualityOperators)}."
                : $"A quality rule takes exactly one operator, found {string.Join(" and ", present)}.");
        }
    }

    private void Metric(YamlNode node, string path)
    {
        if (!IsText(node) || !LibraryMetrics.Contains(((YamlScalarNode)node).Value!))
        {
            Fail(node, path, $"Unknown metric {(node is YamlScalarNode { Value: { } v } ? $"'{v}'" : Describe(node))}: use one of {string.Join(", ", LibraryMetrics)}.");
        }
    }

    private void Range(YamlNode node, string path)
    {
        if (node is YamlSequenceNode { Children.Count: 2 } pair && pair.Children.All(YamlScalars.IsNumber)
            && YamlScalars.Number(pair.Children[0]) != YamlScalars.Number(pair.Children[1]))
        {
            return;
        }

        Fail(node, path, $"A between operator takes two different numbers, smallest first: [min, max]; found {Describe(node)}.");
    }

    // ---- relationships (v3.1.0) -------------------------------------------------------------------------

    private void PropertyRelationship(YamlNode node, string path)
    {
        var fields = new Dictionary<string, Check> { ["to"] = References, ["type"] = OneOf("foreignKey"), ["customProperties"] = CustomProperties };
        if (node is YamlMappingNode map && NodeReader.Child(map, "from") is { } from)
        {
            Fail(from, NodeReader.Join(path, "from"), "A property's relationship starts at that property: remove 'from' and keep 'to'.");
            fields["from"] = Any;
        }

        Object(node, path, "a property's relationship", fields, ["to"], closed: true);
    }

    private void SchemaRelationship(YamlNode node, string path)
    {
        Object(node, path, "a relationship", new()
        {
            ["from"] = References, ["to"] = References, ["type"] = OneOf("foreignKey"), ["customProperties"] = CustomProperties,
        }, ["from", "to"], closed: true);
        if (node is YamlMappingNode map && NodeReader.Child(map, "from") is { } from && NodeReader.Child(map, "to") is { } to
            && !((IsText(from) && IsText(to)) || (from is YamlSequenceNode && to is YamlSequenceNode)))
        {
            Fail(map, path, "A relationship's 'from' and 'to' must both be one reference or both be lists of references (a composite key).");
        }
    }

    private void References(YamlNode node, string path)
    {
        if (node is YamlSequenceNode list)
        {
            if (list.Children.Count == 0)
            {
                Fail(node, path, "A list of references needs at least one.");
            }

            ListOf(Reference)(node, path);
            return;
        }

        Reference(node, path);
    }

    private void Reference(YamlNode node, string path)
    {
        if (!IsText(node) || !(ShorthandReference().IsMatch(((YamlScalarNode)node).Value!) || QualifiedReference().IsMatch(((YamlScalarNode)node).Value!)))
        {
            Fail(node, path, $"A reference must be 'object.property' or a path such as 'schema/orders/properties/id', found {Describe(node)}.");
        }
    }

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex ShorthandReference();

    [GeneratedRegex(@"^(?:(?:https?:\/\/)?[A-Za-z0-9._\-\/]+\.yaml#)?\/?[A-Za-z_][A-Za-z0-9_]*\/[A-Za-z0-9_-]+(?:\/[A-Za-z_][A-Za-z0-9_]*\/[A-Za-z0-9_-]+)*$")]
    private static partial Regex QualifiedReference();

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex StableIdPattern();

    // ---- servers ------------------------------------------------------------------------------------------

    private void Server(YamlNode node, string path)
    {
        if (node is not YamlMappingNode map)
        {
            Fail(node, path, $"Expected a server (a mapping with server and type), found {Describe(node)}.");
            return;
        }

        var types = OdcsServerTypes.For(_version);
        var fields = WithId(new()
        {
            ["server"] = Text, ["type"] = OneOf([.. types.Keys]), ["description"] = Text, ["environment"] = Text,
            ["roles"] = ListOf(Role), ["customProperties"] = CustomProperties,
        });
        var required = new List<string> { "server", "type" };
        var known = NodeReader.Child(map, "type") is { } typeNode && IsText(typeNode) && types.ContainsKey(((YamlScalarNode)typeNode).Value!);
        if (known)
        {
            var serverType = types[((YamlScalarNode)NodeReader.Child(map, "type")!).Value!];
            foreach (var (field, kind) in serverType.Fields)
            {
                fields[field] = kind switch
                {
                    OdcsServerTypes.FieldKind.Integer => Whole,
                    OdcsServerTypes.FieldKind.Choice => OneOf([.. serverType.Choices[field]]),
                    _ => Text,
                };
            }

            required.AddRange(serverType.Required);
        }

        // An unknown type is one error; the fields that type would have allowed are not blamed for it.
        Object(map, path, "a server", fields, required, _version.IsClosed && known,
            requiredMessage: key => key == "type"
                ? $"A server needs a 'type': one of {string.Join(", ", types.Keys)}."
                : key == "staging_dir"
                    ? $"ODCS {_version}'s schema requires 'staging_dir' for athena (a slip fixed in v3.0.2, where it is stagingDir): add staging_dir, or declare apiVersion: v3.0.2."
                    : null);
    }

    // ---- building blocks ------------------------------------------------------------------------------------

    private Dictionary<string, Check> WithId(Dictionary<string, Check> fields)
    {
        if (_version.IsV31)
        {
            fields["id"] = StableId;
        }

        return fields;
    }

    private void Object(
        YamlNode node, string path, string what, Dictionary<string, Check> fields, IEnumerable<string> required, bool closed,
        Func<string, string?>? requiredMessage = null, Func<string, string?>? unknownHint = null)
    {
        if (node is not YamlMappingNode map)
        {
            Fail(node, path, $"Expected {what} (a mapping), found {Describe(node)}.");
            return;
        }

        foreach (var key in required.Where(key => NodeReader.Child(map, key) is null))
        {
            Fail(map, NodeReader.Join(path, key), requiredMessage?.Invoke(key) ?? $"'{key}' is required in {what}.");
        }

        foreach (var (keyNode, value) in map.Children)
        {
            var key = KeyOf(keyNode);
            var fieldPath = NodeReader.Join(path, key);
            if (fields.TryGetValue(key, out var check))
            {
                check(value, fieldPath);
            }
            else if (closed)
            {
                var hint = unknownHint?.Invoke(key);
                Fail(keyNode, fieldPath, $"'{key}' is not a field of {what} in ODCS {_version}"
                    + (hint is null ? "" : $" ({hint})")
                    + (key.StartsWith("x-", StringComparison.Ordinal) ? "; ODCS has no x- extensions" : "")
                    + $": remove it, or record it under customProperties (- property: {key}, value: ...).");
            }
        }
    }

    private static string KeyOf(YamlNode key) => key is YamlScalarNode { Value: { } text } ? text : "";

    private Check ListOf(Check item, int minItems = 0, bool unique = false) => (node, path) =>
    {
        if (node is not YamlSequenceNode list)
        {
            Fail(node, path, $"'{Last(path)}' must be a list, found {Describe(node)}.");
            return;
        }

        if (list.Children.Count < minItems)
        {
            Fail(node, path, $"'{Last(path)}' needs at least {minItems} item(s).");
        }

        if (unique && list.Children.OfType<YamlScalarNode>().GroupBy(s => s.Value).FirstOrDefault(g => g.Count() > 1) is { } repeated)
        {
            Fail(node, path, $"'{Last(path)}' lists '{repeated.Key}' more than once.");
        }

        for (var i = 0; i < list.Children.Count; i++)
        {
            item(list.Children[i], $"{path}[{i}]");
        }
    };

    private void Text(YamlNode node, string path)
    {
        if (!IsText(node))
        {
            Fail(node, path, $"'{Last(path)}' must be text, found {Describe(node)}{(node is YamlScalarNode { Value: { } v } && !YamlScalars.IsNull(node) ? $": quote it (\"{v}\")" : "")}.");
        }
    }

    private void TextOrMapping(YamlNode node, string path)
    {
        if (!IsText(node) && node is not YamlMappingNode)
        {
            Fail(node, path, $"'{Last(path)}' must be text or a mapping, found {Describe(node)}.");
        }
    }

    private void Mapping(YamlNode node, string path)
    {
        if (node is not YamlMappingNode)
        {
            Fail(node, path, $"'{Last(path)}' must be a mapping, found {Describe(node)}.");
        }
    }

    private void StableId(YamlNode node, string path)
    {
        if (!IsText(node) || !StableIdPattern().IsMatch(((YamlScalarNode)node).Value!))
        {
            Fail(node, path, $"An id is letters, digits, '_' and '-' only, found {Describe(node)}.");
        }
    }

    private void Flag(YamlNode node, string path)
    {
        if (!YamlScalars.IsBoolean(node))
        {
            Fail(node, path, $"'{Last(path)}' must be true or false, found {Describe(node)}.");
        }
    }

    private void Whole(YamlNode node, string path)
    {
        if (!YamlScalars.IsInteger(node))
        {
            Fail(node, path, $"'{Last(path)}' must be a whole number, unquoted (e.g. 5432), found {Describe(node)}.");
        }
    }

    private void NonNegativeWhole(YamlNode node, string path)
    {
        if (!YamlScalars.IsInteger(node) || YamlScalars.Number(node) < 0)
        {
            Fail(node, path, $"'{Last(path)}' must be a whole number of 0 or more, unquoted, found {Describe(node)}.");
        }
    }

    private void Number(YamlNode node, string path)
    {
        if (!YamlScalars.IsNumber(node))
        {
            Fail(node, path, $"'{Last(path)}' must be a number, unquoted (e.g. 10 or 0.5), found {Describe(node)}.");
        }
    }

    private void PositiveNumber(YamlNode node, string path)
    {
        if (!YamlScalars.IsNumber(node) || YamlScalars.Number(node) <= 0)
        {
            Fail(node, path, $"'{Last(path)}' must be a number above 0, found {Describe(node)}.");
        }
    }

    private void AnyScalar(YamlNode node, string path)
    {
        if (node is not YamlScalarNode)
        {
            Fail(node, path, $"'{Last(path)}' must be a single value (text, number, true/false or null), found {Describe(node)}.");
        }
    }

    private static void Any(YamlNode node, string path)
    {
    }

    private Check OneOf(params string[] values) => (node, path) =>
    {
        if (IsText(node) && values.Contains(((YamlScalarNode)node).Value))
        {
            return;
        }

        var found = node is YamlScalarNode { Value: { } v } ? $"'{v}'" : Describe(node);
        Fail(node, path, values.Length == 1
            ? $"{Last(path)} must be '{values[0]}', found {found}."
            : $"'{Last(path)}' must be one of {string.Join(", ", values)}; found {found}.");
    };

    private static bool IsText(YamlNode node) => YamlScalars.IsString(node);

    private static string Last(string path)
    {
        var last = path[(path.LastIndexOf('.') + 1)..];
        var bracket = last.IndexOf('[');
        return bracket > 0 ? last[..bracket] : last;
    }

    private static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode scalar => YamlScalars.KindOf(scalar) switch
        {
            ScalarKind.Null => "nothing (null)",
            ScalarKind.Boolean => scalar.Value!.ToLowerInvariant(),
            ScalarKind.Integer or ScalarKind.Number => $"the number {scalar.Value}",
            _ => $"'{scalar.Value}'",
        },
        _ => "an unexpected node",
    };
}
