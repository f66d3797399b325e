using MeshInABox.Domain.Documents;

namespace MeshInABox.Domain.Products;

/// <summary>
/// The storage an output declares: a template the storage plane provisions (<c>postgres</c>, <c>lakehouse</c>,
/// <c>csv</c>, <c>kafka</c>) and the template's parameters, written in the manifest as
/// <c>"storage": {"template": "kafka", "partitions": 6, "retention": "7d"}</c>. Parameter values are kept as
/// written (numbers as their text); each template checks its own. Only outputs with a <c>storage</c> object are
/// provisioned: <c>storageTemplate</c> alone names a layout (such as <c>lakehouse-daily</c>) for data the
/// producer loads itself.
/// </summary>
public sealed record OutputStorage(string Template, IReadOnlyDictionary<string, string> Parameters, SourceLocation At)
{
    public const string Postgres = "postgres";
    public const string Lakehouse = "lakehouse";
    public const string Csv = "csv";
    public const string Kafka = "kafka";

    public static IReadOnlyList<string> Templates { get; } = [Postgres, Lakehouse, Csv, Kafka];

    /// <summary>The template an output of this kind is provisioned from; other templates do not fit it.</summary>
    public static string TemplateFor(OutputKind kind) => kind switch
    {
        OutputKind.Postgres => Postgres,
        OutputKind.Lakehouse => Lakehouse,
        OutputKind.Kafka => Kafka,
        _ => Csv,
    };
}
