using System.Text.Json.Serialization;
using MeshInABox.Domain.Products;
using MeshInABox.Registry.Products;

namespace MeshInABox.Registry.ProductLineage;

/// <summary>Which way a lineage answer walks from its product or column: to what it is made from, to what is made from it, or both.</summary>
public enum LineageDirection
{
    Both,
    Upstream,
    Downstream,
}

/// <summary>
/// The products around one product, as far as <see cref="Depth"/> hops. Links are product to product, from the
/// design-time lineage of each product's current version and from the inputs products declare.
/// <see cref="LeftOutUpstream"/> and <see cref="LeftOutDownstream"/> count the products further away that the answer left out.
/// </summary>
public sealed record LineageGraph(
    string ProductId,
    [property: JsonConverter(typeof(EnumNameConverter<LineageDirection>))] LineageDirection Direction,
    int Depth,
    IReadOnlyList<LineageNode> Nodes,
    IReadOnlyList<LineageLink> Links,
    int LeftOutUpstream,
    int LeftOutDownstream);

/// <summary>
/// A product in a lineage answer. <see cref="Distance"/> is negative upstream, positive downstream, 0 for the product
/// asked about; <see cref="HiddenUpstream"/> and <see cref="HiddenDownstream"/> count its neighbours the answer does not show.
/// A source outside the mesh (a file, an unregistered table) is a node whose <see cref="ProductId"/> is its table name and whose <see cref="External"/> is true.
/// </summary>
public sealed record LineageNode(
    string ProductId,
    string Name,
    string? Domain,
    string? Owner,
    [property: JsonConverter(typeof(EnumNameConverter<ProductStatus>))] ProductStatus? Status,
    int Distance,
    IReadOnlyList<string> Outputs,
    int HiddenUpstream,
    int HiddenDownstream,
    bool External = false);

/// <summary>One product read by another. <see cref="Origins"/>: <c>sql</c> (the downstream's SQL reads it), <c>declared</c> (its manifest lists it as an input).</summary>
public sealed record LineageLink(string Upstream, string Downstream, IReadOnlyList<string> Origins);

/// <summary>A column of a product's output, or of a table outside the mesh (<see cref="ProductId"/> null, <see cref="Output"/> the table's name).</summary>
public sealed record ColumnRef(string? ProductId, string Output, string Column);

/// <summary>
/// One column's path only: the columns it is computed from (upstream) and those computed from it (downstream), as
/// far as <see cref="Depth"/> hops, each link with OpenLineage's edge type and subtype; <see cref="LeftOut"/> counts the columns further away.
/// </summary>
public sealed record ColumnLineage(
    ColumnRef Column,
    [property: JsonConverter(typeof(EnumNameConverter<LineageDirection>))] LineageDirection Direction,
    int Depth,
    IReadOnlyList<ColumnLineageNode> Nodes,
    IReadOnlyList<ColumnLineageLink> Links,
    int LeftOut);

public sealed record ColumnLineageNode(ColumnRef Column, int Distance);

/// <summary><see cref="Type"/> is DIRECT or INDIRECT; <see cref="Subtype"/> IDENTITY, TRANSFORMATION, AGGREGATION, CONDITIONAL, WINDOW...</summary>
public sealed record ColumnLineageLink(ColumnRef Source, ColumnRef Target, string Type, string Subtype);

/// <summary>
/// A product downstream of one whose contract changes incompatibly: who owns it, how far away it is, and which of
/// the changed product's columns it reads directly (empty when it reads them only through other products).
/// </summary>
public sealed record ImpactedProduct(string ProductId, string Name, string Domain, string Owner,
    [property: JsonConverter(typeof(EnumNameConverter<ProductStatus>))] ProductStatus Status, int Distance, IReadOnlyList<string> ReadsColumns);

/// <summary>
/// What one output of a product's current version is computed from: the tables its SQL reads and each column's
/// sources, as the API's answers and the stored JSON write it. The DataHub feed's upstreamLineage and fineGrainedLineages, and the JobEvent a publish emits, are written from it.
/// <see cref="ErrorKind"/> (syntax, refused, binding) says why there is no lineage when <see cref="Error"/> is set.
/// </summary>
public sealed record OutputLineage(
    string Output,
    IReadOnlyList<UpstreamTable> Sources,
    IReadOnlyList<ColumnSource> Columns,
    string? Undetermined,
    string? Error,
    string? ErrorKind = null);

/// <summary>A table an output reads: a product's output when <see cref="ProductId"/> is set, otherwise a file (<c>file:path</c>) or a table outside the mesh.</summary>
public sealed record UpstreamTable(string Table, string? ProductId, string? Output);

/// <summary>One edge into an output: <see cref="Column"/> null for an edge that decides the whole output's rows (JOIN, FILTER, GROUP_BY, SORT).</summary>
public sealed record ColumnSource(string? Column, UpstreamTable Source, string SourceColumn, string Type, string Subtype);
