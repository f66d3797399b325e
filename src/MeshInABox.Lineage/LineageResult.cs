namespace MeshInABox.Lineage;

/// <summary>OpenLineage's two kinds of column dependency: the value flows (DIRECT) or it decides which or how (INDIRECT).</summary>
public enum EdgeType
{
    Direct,
    Indirect,
}

/// <summary>
/// How an output depends on an input, as OpenLineage's column-lineage facet names it. The order among the DIRECT
/// subtypes is their strength: a value passed through an aggregate is aggregated, whatever happened before.
/// </summary>
public enum EdgeSubtype
{
    Identity,
    Transformation,
    Aggregation,
    Join,
    GroupBy,
    Filter,
    Sort,
    Window,
    Conditional,
}

/// <summary>One dependency of an output column (or of the whole output) on a source column.</summary>
public sealed record LineageEdge(string Source, EdgeType Type, EdgeSubtype Subtype)
{
    public static EdgeType TypeOf(EdgeSubtype subtype) =>
        subtype is EdgeSubtype.Identity or EdgeSubtype.Transformation or EdgeSubtype.Aggregation ? EdgeType.Direct : EdgeType.Indirect;
}

public enum LineageErrorKind
{
    /// <summary>DuckDB's parser refused the SQL.</summary>
    Syntax,

    /// <summary>The SQL is refused before it is looked at: too long, empty, several statements, not a query.</summary>
    Refused,

    /// <summary>A table, column or function the statement names is not known (not in the catalog).</summary>
    Binding,
}

/// <summary>Why a statement has no lineage, with DuckDB's position (0-based, in code points) when it gave one.</summary>
public sealed record LineageError(LineageErrorKind Kind, string Message, int? Position = null);

/// <summary>
/// One statement's lineage. Names are lower-cased: tables as the catalog qualifies them, files as <c>file:path</c>.
/// <see cref="Columns"/> holds, per output column in order, the edges that produce its value (DIRECT, and the
/// INDIRECT CONDITIONAL and WINDOW edges that decide it per row); <see cref="Dataset"/> the INDIRECT edges that
/// decide which rows there are (JOIN, FILTER, GROUP_BY, SORT). When part of it cannot be determined,
/// <see cref="Undetermined"/> says why, and what is unknown is left empty rather than guessed.
/// </summary>
public sealed record LineageResult(
    string? Target,
    IReadOnlyList<string> Sources,
    IReadOnlyList<KeyValuePair<string, IReadOnlyList<LineageEdge>>> Columns,
    IReadOnlyList<LineageEdge> Dataset,
    string? Undetermined = null,
    LineageError? Error = null)
{
    public static LineageResult Failed(LineageError error) => new(null, [], [], [], null, error);

    /// <summary>The first output column of that name's source columns: every column its value is computed from, in order of name.</summary>
    public IReadOnlyList<string> SourcesOf(string column) =>
        [.. (Columns.FirstOrDefault(c => c.Key == column).Value ?? []).Select(e => e.Source).Distinct().Order(StringComparer.Ordinal)];
}
