using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using MeshInABox.Domain.Naming;
using MeshInABox.Registry.Apis;

namespace MeshInABox.Registry.OpenLineage;

/// <summary>
/// Checks OpenLineage 2-0-2 events against the spec's required fields and the facet shapes the registry reads,
/// collecting every broken rule under its field path (<c>[2].run.runId</c> in a batch, <c>run.runId</c> alone),
/// and reads from the valid ones what is stored: the domain, the identity and the run-time lineage.
/// </summary>
public static partial class OpenLineageValidator
{
    /// <summary>Events per request: a client's buffer flush, not a bulk load (each batch is one transaction).</summary>
    public const int MaxBatchEvents = 1000;

    /// <summary>Inputs and outputs per event; their product is the number of dataset edges one event makes.</summary>
    public const int MaxDatasetsPerSide = 100;

    /// <summary>Namespaces, names and fields: long enough for file paths and three-part table names.</summary>
    public const int MaxNameLength = 1000;

    public const int MaxUriLength = 2000;

    public static readonly IReadOnlyList<string> RunEventTypes = ["START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER"];

    /// <summary>ColumnLineageDatasetFacet 1-2-0: the subtypes each transformation type has.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> TransformationSubtypes = new Dictionary<string, IReadOnlyList<string>>
    {
        ["DIRECT"] = ["IDENTITY", "TRANSFORMATION", "AGGREGATION"],
        ["INDIRECT"] = ["JOIN", "FILTER", "GROUP_BY", "SORT", "WINDOW", "CONDITIONAL"],
    };

    /// <summary>
    /// The events of a body (one event object, or an array of them). Domains are read, not authorized here.
    /// </summary>
    /// <returns>The events, in body order; empty when a check failed (see <paramref name="checks"/>).</returns>
    public static IReadOnlyList<ReceivedLineageEvent> Read(JsonElement body, RequestChecks checks)
    {
        var events = new List<ReceivedLineageEvent>();
        if (body.ValueKind == JsonValueKind.Array)
        {
            var index = 0;
            foreach (var item in body.EnumerateArray())
            {
                if (ReadEvent(item, $"[{index}]", checks) is { } received)
                {
                    events.Add(received);
                }

                index++;
            }

            if (index == 0)
            {
                checks.Add("$", "The batch is empty: send one event, or an array of 1 to " + MaxBatchEvents + " events.");
            }
        }
        else if (ReadEvent(body, "", checks) is { } received)
        {
            events.Add(received);
        }

        return checks.Failed ? [] : events;
    }

    private static ReceivedLineageEvent? ReadEvent(JsonElement item, string path, RequestChecks checks)
    {
        var where = path.Length == 0 ? "$" : path;
        if (item.ValueKind != JsonValueKind.Object)
        {
            checks.Add(where, $"An event is a JSON object (a RunEvent, JobEvent or DatasetEvent), not {Describe(item)}.");
            return null;
        }

        var before = checks.Errors.Count;
        var eventTime = EventTime(item, Join(path, "eventTime"), checks);
        Uri(item, Join(path, "producer"), "producer", checks);
        Uri(item, Join(path, "schemaURL"), "schemaURL", checks);

        // The spec's three events differ by what they carry: a RunEvent has a run, a JobEvent a job and no run,
        // a DatasetEvent a dataset and no job.
        var kind = item.TryGetProperty("run", out _) ? LineageEventKind.Run
            : item.TryGetProperty("job", out _) ? LineageEventKind.Job
            : item.TryGetProperty("dataset", out _) ? LineageEventKind.Dataset
            : (LineageEventKind?)null;
        if (kind is null)
        {
            checks.Add(where, "An event has 'run' and 'job' (a RunEvent), 'job' without 'run' (a JobEvent) or 'dataset' (a DatasetEvent); this one has none.");
            return null;
        }

        string? eventType = null;
        Guid? runId = null;
        LineageDataset? job = null;
        LineageDataset? dataset = null;
        IReadOnlyList<LineageDataset> inputs = [];
        IReadOnlyList<LineageDataset> outputs = [];
        var columnEdges = new List<LineageColumnEdge>();
        if (kind is LineageEventKind.Dataset)
        {
            dataset = Dataset(Property(item, "dataset"), Join(path, "dataset"), checks, null);
        }
        else
        {
            if (kind is LineageEventKind.Run)
            {
                eventType = EventType(item, Join(path, "eventType"), checks);
                runId = Run(Property(item, "run"), Join(path, "run"), checks);
            }

            job = Job(Property(item, "job"), Join(path, "job"), checks);
            inputs = Datasets(item, path, "inputs", checks, null);
            outputs = Datasets(item, path, "outputs", checks, columnEdges);
        }

        Numbers(item, where, checks);
        if (checks.Errors.Count != before || eventTime is null)
        {
            return null;
        }

        var owner = (job ?? dataset)!.Namespace;
        var domain = LineageDomains.Of(owner, out _) ?? "";
        var compact = JsonSerializer.SerializeToUtf8Bytes(item);
        return new ReceivedLineageEvent(
            kind.Value, domain, eventType, eventTime.Value, runId, job, dataset, inputs, outputs, columnEdges,
            JsonDocument.Parse(compact).RootElement.Clone(), SHA256.HashData(compact));
    }

    /// <summary>Longest number kept: PostgreSQL's jsonb holds numbers as numeric, which refuses (a late error) what it cannot hold.</summary>
    public const int MaxNumberLength = 100;

    /// <summary>Every number anywhere in the event (facets included) fits jsonb's numeric: finite and short.</summary>
    private static void Numbers(JsonElement value, string path, RequestChecks checks)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    Numbers(property.Value, path == "$" ? property.Name : Join(path, property.Name), checks);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    Numbers(item, $"{(path == "$" ? "" : path)}[{index++}]", checks);
                }

                break;
            case JsonValueKind.Number:
                var text = value.GetRawText();
                if (text.Length > MaxNumberLength || !double.IsFinite(double.Parse(text, CultureInfo.InvariantCulture)))
                {
                    checks.Add(path, $"The number {MeshNames.Quote(text)} is out of range: numbers are finite and at most {MaxNumberLength} characters long.");
                }

                break;
        }
    }

    private static DateTimeOffset? EventTime(JsonElement item, string field, RequestChecks checks)
    {
        if (String(item, field, checks) is not { } text)
        {
            return null;
        }

        if (!Rfc3339().IsMatch(text)
            || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            checks.Add(field, $"{MeshNames.Quote(text)} is not an RFC 3339 date-time (e.g. '2026-12-01T10:15:00.000Z').");
            return null;
        }

        return time;
    }

    private static string? EventType(JsonElement item, string field, RequestChecks checks)
    {
        if (!item.TryGetProperty("eventType", out var value))
        {
            return null; // optional in 2-0-2: a run event may be reported without its state
        }

        if (value.ValueKind != JsonValueKind.String || value.GetString() is not { } type || !RunEventTypes.Contains(type, StringComparer.Ordinal))
        {
            checks.Add(field, $"{Shown(value)} is not a run event type: use {string.Join(", ", RunEventTypes)}.");
            return null;
        }

        return type;
    }

    private static Guid? Run(JsonElement? run, string path, RequestChecks checks)
    {
        if (!IsObject(run, path, "A run is an object: {\"runId\": UUID, \"facets\"?}.", checks))
        {
            return null;
        }

        Facets(run!.Value, path, "facets", checks, null, null);
        if (String(run.Value, Join(path, "runId"), checks) is not { } text)
        {
            return null;
        }

        if (!Guid.TryParseExact(text, "D", out var runId))
        {
            checks.Add(Join(path, "runId"), $"{MeshNames.Quote(text)} is not a UUID (e.g. '0176a8c2-fe01-7439-87e6-56a1a1b4029f').");
            return null;
        }

        return runId;
    }

    private static LineageDataset? Job(JsonElement? job, string path, RequestChecks checks)
    {
        if (!IsObject(job, path, "A job is an object: {\"namespace\", \"name\", \"facets\"?}.", checks))
        {
            return null;
        }

        Facets(job!.Value, path, "facets", checks, null, null);
        return Named(job.Value, path, checks);
    }

    private static IReadOnlyList<LineageDataset> Datasets(JsonElement item, string path, string side, RequestChecks checks, List<LineageColumnEdge>? columnEdges)
    {
        var field = Join(path, side);
        if (!item.TryGetProperty(side, out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            checks.Add(field, $"'{side}' is an array of datasets [{{\"namespace\", \"name\", \"facets\"?}}], not {Describe(list)}.");
            return [];
        }

        if (list.GetArrayLength() > MaxDatasetsPerSide)
        {
            checks.Add(field, $"{list.GetArrayLength()} {side} are given; at most {MaxDatasetsPerSide} are allowed per event.");
            return [];
        }

        var datasets = new List<LineageDataset>();
        var index = 0;
        foreach (var dataset in list.EnumerateArray())
        {
            if (Dataset(dataset, $"{field}[{index++}]", checks, columnEdges) is { } valid)
            {
                datasets.Add(valid);
            }
        }

        return datasets;
    }

    private static LineageDataset? Dataset(JsonElement? dataset, string path, RequestChecks checks, List<LineageColumnEdge>? columnEdges)
    {
        if (!IsObject(dataset, path, "A dataset is an object: {\"namespace\", \"name\", \"facets\"?}.", checks))
        {
            return null;
        }

        var named = Named(dataset!.Value, path, checks);
        Facets(dataset.Value, path, "facets", checks, named, columnEdges);
        Facets(dataset.Value, path, "inputFacets", checks, null, null);
        Facets(dataset.Value, path, "outputFacets", checks, null, null);
        return named;
    }

    private static LineageDataset? Named(JsonElement value, string path, RequestChecks checks)
    {
        var @namespace = Name(value, Join(path, "namespace"), checks);
        var name = Name(value, Join(path, "name"), checks);
        return @namespace is null || name is null ? null : new LineageDataset(@namespace, name);
    }

    /// <summary>
    /// Every facet carries <c>_producer</c> and <c>_schemaURL</c>; the column lineage and schema facets are read
    /// further, and a dataset's column lineage (when <paramref name="columnEdges"/> is given) becomes column edges.
    /// </summary>
    private static void Facets(JsonElement owner, string path, string property, RequestChecks checks, LineageDataset? dataset, List<LineageColumnEdge>? columnEdges)
    {
        if (!owner.TryGetProperty(property, out var facets) || facets.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        var field = Join(path, property);
        if (facets.ValueKind != JsonValueKind.Object)
        {
            checks.Add(field, $"'{property}' is an object of facets by name, not {Describe(facets)}.");
            return;
        }

        foreach (var facet in facets.EnumerateObject())
        {
            var facetPath = Join(field, facet.Name);
            if (facet.Value.ValueKind != JsonValueKind.Object)
            {
                checks.Add(facetPath, $"A facet is an object with '_producer' and '_schemaURL', not {Describe(facet.Value)}.");
                continue;
            }

            Uri(facet.Value, Join(facetPath, "_producer"), "_producer", checks);
            Uri(facet.Value, Join(facetPath, "_schemaURL"), "_schemaURL", checks);
            if (property == "facets" && facet.Name == "columnLineage")
            {
                ColumnLineage(facet.Value, facetPath, checks, dataset, columnEdges);
            }
            else if (property == "facets" && facet.Name == "schema")
            {
                SchemaFields(facet.Value, Join(facetPath, "fields"), checks, required: false);
            }
        }
    }

    /// <summary>ColumnLineageDatasetFacet 1-2-0: <c>fields{column: {inputFields: [...]}}</c> and <c>dataset: [...]</c>.</summary>
    private static void ColumnLineage(JsonElement facet, string path, RequestChecks checks, LineageDataset? target, List<LineageColumnEdge>? columnEdges)
    {
        var fieldsPath = Join(path, "fields");
        if (!facet.TryGetProperty("fields", out var fields) || fields.ValueKind != JsonValueKind.Object)
        {
            checks.Add(fieldsPath, "'fields' is required: an object of output columns, each {\"inputFields\": [{\"namespace\", \"name\", \"field\"}]}.");
        }
        else
        {
            foreach (var column in fields.EnumerateObject())
            {
                var columnPath = Join(fieldsPath, column.Name);
                CheckText(column.Name, columnPath, "an output column's name", checks);
                if (column.Value.ValueKind != JsonValueKind.Object
                    || !column.Value.TryGetProperty("inputFields", out var inputFields) || inputFields.ValueKind != JsonValueKind.Array)
                {
                    checks.Add(Join(columnPath, "inputFields"), "'inputFields' is required: an array of {\"namespace\", \"name\", \"field\", \"transformations\"?}.");
                    continue;
                }

                InputFields(inputFields, Join(columnPath, "inputFields"), checks, target, column.Name, columnEdges);
            }
        }

        if (facet.TryGetProperty("dataset", out var datasetLevel) && datasetLevel.ValueKind != JsonValueKind.Null)
        {
            if (datasetLevel.ValueKind != JsonValueKind.Array)
            {
                checks.Add(Join(path, "dataset"), "'dataset' is an array of {\"namespace\", \"name\", \"field\", \"transformations\"?}.");
            }
            else
            {
                // Whole-dataset dependencies (a filter's or join's columns) are kept in the event, not as column edges.
                InputFields(datasetLevel, Join(path, "dataset"), checks, null, null, null);
            }
        }
    }

    private static void InputFields(JsonElement list, string path, RequestChecks checks, LineageDataset? target, string? targetField, List<LineageColumnEdge>? columnEdges)
    {
        var index = 0;
        foreach (var input in list.EnumerateArray())
        {
            var inputPath = $"{path}[{index++}]";
            if (input.ValueKind != JsonValueKind.Object)
            {
                checks.Add(inputPath, $"An input field is an object {{\"namespace\", \"name\", \"field\"}}, not {Describe(input)}.");
                continue;
            }

            var source = Named(input, inputPath, checks);
            var field = Name(input, Join(inputPath, "field"), checks);
            var transformations = Transformations(input, Join(inputPath, "transformations"), checks);
            if (source is not null && field is not null && target is not null && targetField is not null && columnEdges is not null)
            {
                columnEdges.Add(new LineageColumnEdge(source, field, target, targetField, transformations));
            }
        }
    }

    private static JsonElement Transformations(JsonElement input, string path, RequestChecks checks)
    {
        if (!input.TryGetProperty("transformations", out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return JsonDocument.Parse("[]").RootElement.Clone();
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            checks.Add(path, $"'transformations' is an array of {{\"type\": \"DIRECT\" | \"INDIRECT\", \"subtype\"?, \"description\"?, \"masking\"?}}, not {Describe(list)}.");
            return list;
        }

        var index = 0;
        foreach (var transformation in list.EnumerateArray())
        {
            var itemPath = $"{path}[{index++}]";
            if (transformation.ValueKind != JsonValueKind.Object)
            {
                checks.Add(itemPath, $"A transformation is an object {{\"type\", \"subtype\"?}}, not {Describe(transformation)}.");
                continue;
            }

            var typeValue = Property(transformation, "type");
            var type = typeValue is { ValueKind: JsonValueKind.String } ? typeValue.Value.GetString() : null;
            if (type is null || !TransformationSubtypes.TryGetValue(type, out var subtypes))
            {
                checks.Add(Join(itemPath, "type"), $"{(typeValue is null ? "'type' is required" : Shown(typeValue.Value) + " is not a transformation type")}: use DIRECT or INDIRECT.");
                continue;
            }

            if (Property(transformation, "subtype") is { ValueKind: not JsonValueKind.Null } subtypeValue
                && (subtypeValue.ValueKind != JsonValueKind.String || !subtypes.Contains(subtypeValue.GetString()!, StringComparer.Ordinal)))
            {
                checks.Add(Join(itemPath, "subtype"), $"{Shown(subtypeValue)} is not a subtype of {type}: use {string.Join(", ", subtypes)}.");
            }

            if (Property(transformation, "masking") is { ValueKind: not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null) } masking)
            {
                checks.Add(Join(itemPath, "masking"), $"'masking' is true or false, not {Describe(masking)}.");
            }

            if (Property(transformation, "description") is { ValueKind: not (JsonValueKind.String or JsonValueKind.Null) } description)
            {
                checks.Add(Join(itemPath, "description"), $"'description' is text, not {Describe(description)}.");
            }
        }

        return list;
    }

    /// <summary>SchemaDatasetFacet 1-2-0: <c>fields: [{name, type?, description?, fields?}]</c>, nested for structs.</summary>
    private static void SchemaFields(JsonElement owner, string path, RequestChecks checks, bool required)
    {
        if (!owner.TryGetProperty("fields", out var fields) || fields.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                checks.Add(path, "'fields' is required.");
            }

            return;
        }

        if (fields.ValueKind != JsonValueKind.Array)
        {
            checks.Add(path, $"'fields' is an array of {{\"name\", \"type\"?, \"description\"?, \"fields\"?}}, not {Describe(fields)}.");
            return;
        }

        var index = 0;
        foreach (var field in fields.EnumerateArray())
        {
            var fieldPath = $"{path}[{index++}]";
            if (field.ValueKind != JsonValueKind.Object)
            {
                checks.Add(fieldPath, $"A schema field is an object {{\"name\", \"type\"?}}, not {Describe(field)}.");
                continue;
            }

            Name(field, Join(fieldPath, "name"), checks);
            foreach (var optional in (string[])["type", "description"])
            {
                if (Property(field, optional) is { ValueKind: not (JsonValueKind.String or JsonValueKind.Null) } value)
                {
                    checks.Add(Join(fieldPath, optional), $"'{optional}' is text, not {Describe(value)}.");
                }
            }

            SchemaFields(field, Join(fieldPath, "fields"), checks, required: false);
        }
    }

    private static string? Name(JsonElement owner, string field, RequestChecks checks) =>
        String(owner, field, checks) is { } text && CheckText(text, field, $"'{Last(field)}'", checks) ? text : null;

    private static bool CheckText(string text, string field, string what, RequestChecks checks)
    {
        if (text.Length == 0)
        {
            checks.Add(field, $"{what} is empty.");
            return false;
        }

        var error = MeshNames.Text(text, MaxNameLength, what)
            ?? (text.AsSpan().IndexOfAny('\n', '\r', '\t') >= 0 ? $"{what} holds a line break or tab; names are one line." : null);
        if (error is not null)
        {
            checks.Add(field, error);
            return false;
        }

        return true;
    }

    private static void Uri(JsonElement owner, string field, string what, RequestChecks checks)
    {
        if (String(owner, field, checks) is not { } text)
        {
            return;
        }

        if (text.Length > MaxUriLength)
        {
            checks.Add(field, $"'{what}' is {text.Length} characters long; at most {MaxUriLength} are allowed.");
        }
        else if (text.Any(char.IsControl) || !System.Uri.TryCreate(text, UriKind.Absolute, out _))
        {
            checks.Add(field, $"{MeshNames.Quote(text)} is not an absolute URI (e.g. 'https://github.com/OpenLineage/OpenLineage/tree/1.0.0/client').");
        }
    }

    /// <summary>A required string property; the field's last segment is the property's name.</summary>
    private static string? String(JsonElement owner, string field, RequestChecks checks)
    {
        var name = Last(field);
        if (!owner.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            checks.Add(field, $"'{name}' is required.");
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            checks.Add(field, $"'{name}' is a string, not {Describe(value)}.");
            return null;
        }

        return value.GetString();
    }

    private static bool IsObject(JsonElement? value, string path, string shape, RequestChecks checks)
    {
        if (value is { ValueKind: JsonValueKind.Object })
        {
            return true;
        }

        checks.Add(path, value is null or { ValueKind: JsonValueKind.Null } ? $"'{Last(path)}' is required. {shape}" : $"{shape} Not {Describe(value.Value)}.");
        return false;
    }

    private static JsonElement? Property(JsonElement owner, string name) => owner.TryGetProperty(name, out var value) ? value : null;

    private static string Join(string path, string property) => path.Length == 0 ? property : $"{path}.{property}";

    private static string Last(string path) => path[(path.LastIndexOf('.') + 1)..];

    private static string Shown(JsonElement value) => value.ValueKind == JsonValueKind.String ? MeshNames.Quote(value.GetString()) : Describe(value);

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339();
}
