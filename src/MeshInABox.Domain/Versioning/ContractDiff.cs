using System.Globalization;
using MeshInABox.Domain.Contracts;
using YamlDotNet.RepresentationModel;

namespace MeshInABox.Domain.Versioning;

/// <summary>
/// Classifies what changed between two versions of a contract, from the
/// consumers' side of the promise: anything removed, retyped or made stricter
/// (required, unique, keys, fewer allowed values, tighter quality or SLA) is
/// MAJOR; anything added as optional or relaxed is MINOR; wording is PATCH.
/// </summary>
public static class ContractDiff
{
    public static IReadOnlyList<ContractChange> Compare(DataContract before, DataContract after)
    {
        var changes = new List<ContractChange>();
        CompareObjects(before, after, changes);
        CompareSla(before.Sla, after.Sla, changes);
        ComparePatchFields(before, after, changes);
        return changes;
    }

    private static void CompareObjects(DataContract before, DataContract after, List<ContractChange> changes)
    {
        foreach (var old in before.Schema)
        {
            var path = $"schema.{old.Name}";
            var current = after.Object(old.Name);
            if (current is null)
            {
                changes.Add(new(ChangeClass.Major, path, $"object '{old.Name}' removed"));
                continue;
            }

            Text(changes, path + ".physicalName", old.PhysicalName, current.PhysicalName, ChangeClass.Major, "physical name");
            Text(changes, path + ".physicalType", old.PhysicalType, current.PhysicalType, ChangeClass.Major, "physical type");
            Text(changes, path + ".description", old.Description, current.Description, ChangeClass.Patch, "description");
            Tags(changes, path + ".tags", old.Tags, current.Tags);
            CompareProperties(path, old.Properties, current.Properties, changes);
            CompareQuality(path + ".quality", old.Quality, current.Quality, changes);
        }

        foreach (var added in after.Schema.Where(o => before.Object(o.Name) is null))
        {
            changes.Add(new(ChangeClass.Minor, $"schema.{added.Name}", $"object '{added.Name}' added"));
        }
    }

    private static void CompareProperties(string parent, IReadOnlyList<SchemaProperty> before, IReadOnlyList<SchemaProperty> after, List<ContractChange> changes)
    {
        foreach (var old in before)
        {
            var path = $"{parent}.{old.Name}";
            var current = after.FirstOrDefault(p => string.Equals(p.Name, old.Name, StringComparison.OrdinalIgnoreCase));
            if (current is null)
            {
                changes.Add(new(ChangeClass.Major, path, $"property '{old.Name}' removed"));
                continue;
            }

            CompareProperty(path, old, current, changes);
        }

        foreach (var added in after.Where(p => !before.Any(b => string.Equals(b.Name, p.Name, StringComparison.OrdinalIgnoreCase))))
        {
            changes.Add(added.Required
                ? new(ChangeClass.Major, $"{parent}.{added.Name}", $"required property '{added.Name}' added")
                : new(ChangeClass.Minor, $"{parent}.{added.Name}", $"optional property '{added.Name}' added"));
        }
    }

    private static void CompareProperty(string path, SchemaProperty old, SchemaProperty current, List<ContractChange> changes)
    {
        if (old.LogicalType != current.LogicalType)
        {
            changes.Add(new(ChangeClass.Major, path + ".logicalType", $"type changed from {Show(old.LogicalType)} to {Show(current.LogicalType)}"));
        }

        Text(changes, path + ".physicalType", old.PhysicalType, current.PhysicalType, ChangeClass.Major, "physical type");
        Flag(changes, path + ".required", old.Required, current.Required, "required", "optional made required", "required made optional");
        Flag(changes, path + ".unique", old.Unique, current.Unique, "unique", "unique constraint added", "unique constraint removed");
        Flag(changes, path + ".primaryKey", old.PrimaryKey, current.PrimaryKey, "primary key", "made part of the primary key", "removed from the primary key");
        if (old.PrimaryKey && current.PrimaryKey && old.PrimaryKeyPosition != current.PrimaryKeyPosition)
        {
            changes.Add(new(ChangeClass.Major, path + ".primaryKeyPosition", $"primary key position changed from {old.PrimaryKeyPosition} to {current.PrimaryKeyPosition}"));
        }

        Text(changes, path + ".classification", old.Classification, current.Classification, ChangeClass.Major, "classification");
        Text(changes, path + ".description", old.Description, current.Description, ChangeClass.Patch, "description");
        Tags(changes, path + ".tags", old.Tags, current.Tags);
        if (!old.Examples.SequenceEqual(current.Examples))
        {
            changes.Add(new(ChangeClass.Patch, path + ".examples", "examples changed"));
        }

        CompareOptions(path + ".logicalTypeOptions", old.LogicalTypeOptions, current.LogicalTypeOptions, changes);
        CompareAllowedValues(path, old.AllowedValues, current.AllowedValues, changes);
        CompareQuality(path + ".quality", old.Quality, current.Quality, changes);
        CompareProperties(path, old.Properties, current.Properties, changes);
    }

    /// <summary>Bounds that constrain values: which way is stricter for each.</summary>
    private static readonly Dictionary<string, int> StricterWhen = new(StringComparer.Ordinal)
    {
        ["maxLength"] = -1, ["maximum"] = -1, ["exclusiveMaximum"] = -1, ["maxItems"] = -1, ["maxProperties"] = -1,
        ["minLength"] = 1, ["minimum"] = 1, ["exclusiveMinimum"] = 1, ["minItems"] = 1, ["minProperties"] = 1,
    };

    private static void CompareOptions(string path, IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after, List<ContractChange> changes)
    {
        foreach (var key in before.Keys.Union(after.Keys).Order(StringComparer.Ordinal))
        {
            before.TryGetValue(key, out var old);
            after.TryGetValue(key, out var current);
            if (old == current)
            {
                continue;
            }

            var optionPath = $"{path}.{key}";
            if (old is null)
            {
                changes.Add(new(ChangeClass.Major, optionPath, $"constraint {key}={current} added (narrows the type)"));
            }
            else if (current is null)
            {
                changes.Add(new(ChangeClass.Minor, optionPath, $"constraint {key}={old} removed (widens the type)"));
            }
            else if (StricterWhen.TryGetValue(key, out var direction) && TryNumber(old, out var a) && TryNumber(current, out var b))
            {
                var stricter = direction < 0 ? b < a : b > a;
                changes.Add(new(stricter ? ChangeClass.Major : ChangeClass.Minor, optionPath,
                    $"{key} changed from {old} to {current} ({(stricter ? "narrowed" : "widened")})"));
            }
            else
            {
                changes.Add(new(ChangeClass.Major, optionPath, $"{key} changed from '{old}' to '{current}'"));
            }
        }
    }

    private static void CompareAllowedValues(string path, IReadOnlyList<string>? before, IReadOnlyList<string>? after, List<ContractChange> changes)
    {
        if (before is null && after is null)
        {
            return;
        }

        var removed = (before ?? []).Except(after ?? []).ToList();
        var added = (after ?? []).Except(before ?? []).ToList();
        if (before is not null && after is not null)
        {
            if (removed.Count > 0)
            {
                changes.Add(new(ChangeClass.Major, path + ".validValues", $"allowed values removed: {string.Join(", ", removed)}"));
            }

            if (added.Count > 0)
            {
                changes.Add(new(ChangeClass.Minor, path + ".validValues", $"allowed values added: {string.Join(", ", added)}"));
            }
        }
    }

    /// <summary>
    /// Pairs list items by their full identity first, then what is left by a looser key (a rule's metric,
    /// an SLA's property), so a list compared with itself pairs every item with itself and an edited item
    /// still pairs with its earlier self. Equal identities pair in the order written.
    /// </summary>
    private static List<(T? Old, T? Current)> Match<T>(IReadOnlyList<T> before, IReadOnlyList<T> after, Func<T, string> identity, Func<T, string> looseKey)
        where T : class
    {
        var pairs = before.Select(old => (Old: (T?)old, Current: (T?)null)).ToList();
        var unmatched = after.ToList();
        foreach (var key in new[] { identity, looseKey })
        {
            for (var i = 0; i < pairs.Count; i++)
            {
                if (pairs[i].Current is null && unmatched.FirstOrDefault(a => key(a) == key(pairs[i].Old!)) is { } found)
                {
                    pairs[i] = (pairs[i].Old, found);
                    unmatched.Remove(found);
                }
            }
        }

        pairs.AddRange(unmatched.Select(added => ((T?)null, (T?)added)));
        return pairs;
    }

    private static void CompareQuality(string path, IReadOnlyList<QualityRule> before, IReadOnlyList<QualityRule> after, List<ContractChange> changes)
    {
        foreach (var (old, current) in Match(before, after, r => r.Identity, r => r.Key))
        {
            if (old is null)
            {
                changes.Add(new(ChangeClass.Major, $"{path}[{current!.Key}]", "quality rule added (tightened)"));
                continue;
            }

            var rulePath = $"{path}[{old.Key}]";
            if (current is null)
            {
                changes.Add(new(ChangeClass.Minor, rulePath, "quality rule removed (relaxed)"));
                continue;
            }

            if (old.Query?.Trim() != current.Query?.Trim())
            {
                changes.Add(new(ChangeClass.Major, rulePath + ".query", "quality query changed"));
            }

            if (old.Operator != current.Operator || old.OperandText != current.OperandText || !old.Operands.SequenceEqual(current.Operands))
            {
                var tightened = Tightened(old, current);
                changes.Add(new(tightened ? ChangeClass.Major : ChangeClass.Minor, rulePath,
                    $"threshold changed from {Threshold(old)} to {Threshold(current)} ({(tightened ? "tightened" : "relaxed")})"));
            }

            Text(changes, rulePath + ".description", old.Description, current.Description, ChangeClass.Patch, "description");
        }
    }

    /// <summary>
    /// Is the new threshold stricter? Metrics count bad things (nulls,
    /// duplicates...) so a lower ceiling is stricter; rowCount is a floor.
    /// An operator change is treated as a tightening unless proven otherwise.
    /// </summary>
    private static bool Tightened(QualityRule old, QualityRule current)
    {
        if (old.Operator != current.Operator || old.Operands.Count != current.Operands.Count || old.Operands.Count == 0)
        {
            return true;
        }

        return current.Operator switch
        {
            "mustBeLessThan" or "mustBeLessOrEqualTo" => current.Operands[0] < old.Operands[0],
            "mustBeGreaterThan" or "mustBeGreaterOrEqualTo" => current.Operands[0] > old.Operands[0],
            "mustBeBetween" => current.Operands[0] > old.Operands[0] || current.Operands[1] < old.Operands[1],
            "mustNotBeBetween" => current.Operands[0] < old.Operands[0] || current.Operands[1] > old.Operands[1],
            _ => true,
        };
    }

    private static string Threshold(QualityRule rule) =>
        rule.Operator is null ? "none" : $"{rule.Operator} {rule.OperandText ?? string.Join("..", rule.Operands)}";

    /// <summary>Lower latency or frequency, longer retention, higher availability: each is a tighter promise.</summary>
    private static void CompareSla(IReadOnlyList<SlaProperty> before, IReadOnlyList<SlaProperty> after, List<ContractChange> changes)
    {
        foreach (var (old, current) in Match(before, after, SlaKey, s => s.Property + "@" + s.Element))
        {
            if (old is null)
            {
                changes.Add(new(ChangeClass.Major, $"slaProperties[{SlaKey(current!)}]", $"SLA '{current!.Property}' added (tightened)"));
                continue;
            }

            var path = $"slaProperties[{SlaKey(old)}]";
            if (current is null)
            {
                changes.Add(new(ChangeClass.Minor, path, $"SLA '{old.Property}' removed (relaxed)"));
                continue;
            }

            if (old.Value == current.Value && old.Unit == current.Unit)
            {
                continue;
            }

            var oldMeasure = Measure(old);
            var newMeasure = Measure(current);
            bool tightened;
            if (oldMeasure is null || newMeasure is null)
            {
                tightened = true;
            }
            else
            {
                var higherIsStricter = old.Property.ToLowerInvariant() is "retention" or "availability" or "completeness";
                tightened = higherIsStricter ? newMeasure > oldMeasure : newMeasure < oldMeasure;
            }

            changes.Add(new(tightened ? ChangeClass.Major : ChangeClass.Minor, path,
                $"SLA '{old.Property}' changed from {old.Value}{Unit(old)} to {current.Value}{Unit(current)} ({(tightened ? "tightened" : "relaxed")})"));
        }
    }

    /// <summary>Property, element and driver: the paths keep their short form when element and driver are absent.</summary>
    private static string SlaKey(SlaProperty sla) =>
        sla.Property + (sla.Element is null ? "" : "@" + sla.Element) + (sla.Driver is null ? "" : "#" + sla.Driver);

    private static string Unit(SlaProperty sla) => sla.Unit is null ? "" : " " + sla.Unit;

    /// <summary>Durations normalised to minutes so "1 h" and "60 m" compare; other values as numbers.</summary>
    private static decimal? Measure(SlaProperty sla)
    {
        var value = sla.Value.TrimEnd('%');
        if (!TryNumber(value, out var number))
        {
            return null;
        }

        var factor = sla.Unit?.ToLowerInvariant() switch
        {
            "s" or "sec" or "second" or "seconds" => 1m / 60,
            "m" or "min" or "minute" or "minutes" => 1m,
            "h" or "hr" or "hour" or "hours" => 60m,
            "d" or "day" or "days" => 1440m,
            "w" or "week" or "weeks" => 10080m,
            "mo" or "month" or "months" => 43200m,
            "y" or "yr" or "year" or "years" => 525600m,
            _ => 1m,
        };
        return number * factor;
    }

    private static void ComparePatchFields(DataContract before, DataContract after, List<ContractChange> changes)
    {
        Text(changes, "name", before.Name, after.Name, ChangeClass.Patch, "name");
        Text(changes, "description.purpose", before.Purpose, after.Purpose, ChangeClass.Patch, "purpose");
        Tags(changes, "tags", before.Tags, after.Tags);
        Text(changes, "status", before.Status, after.Status, ChangeClass.Patch, "status");

        // Fields the model does not interpret still count: a change there is at least a PATCH.
        foreach (var key in new[] { "customProperties", "authoritativeDefinitions", "support", "price", "team", "roles", "servers" })
        {
            var old = RawYaml(before.Document, key);
            var current = RawYaml(after.Document, key);
            if (!Equals(old, current))
            {
                changes.Add(new(ChangeClass.Patch, key, $"{key} changed"));
            }
        }
    }

    private static string? RawYaml(YamlMappingNode document, string key) =>
        Documents.NodeReader.Child(document, key) is { } node ? ContractWriter.Write(node) : null;

    private static void Text(List<ContractChange> changes, string path, string? old, string? current, ChangeClass changeClass, string what)
    {
        if (!string.Equals(old, current, StringComparison.Ordinal))
        {
            changes.Add(new(changeClass, path, $"{what} changed from '{old ?? "(none)"}' to '{current ?? "(none)"}'"));
        }
    }

    private static void Flag(List<ContractChange> changes, string path, bool old, bool current, string what, string whenSet, string whenCleared)
    {
        if (old != current)
        {
            changes.Add(current ? new(ChangeClass.Major, path, whenSet) : new(ChangeClass.Minor, path, whenCleared));
        }
    }

    private static void Tags(List<ContractChange> changes, string path, IReadOnlyList<string> old, IReadOnlyList<string> current)
    {
        if (!old.Order(StringComparer.Ordinal).SequenceEqual(current.Order(StringComparer.Ordinal)))
        {
            changes.Add(new(ChangeClass.Patch, path, $"tags changed from [{string.Join(", ", old)}] to [{string.Join(", ", current)}]"));
        }
    }

    private static string Show(LogicalType? type) => type?.ToString().ToLowerInvariant() ?? "(none)";

    private static bool TryNumber(string text, out decimal value) =>
        decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
}
