using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using MeshInABox.Lakehouse.Engine.Query;

namespace MeshInABox.Lakehouse.Model;

/// <summary>Body of <c>POST /query</c>: one SELECT naming data products as domain.product.table.</summary>
/// <remarks>The attributes describe the body in the OpenAPI document; the checks themselves are the handler's and <see cref="SqlGuard"/>'s.</remarks>
public sealed record QueryRequest(
    [property: Required]
    [property: MaxLength(SqlGuard.MaxSqlLength)]
    [property: Description("One SELECT (WITH queries, joins, AT (VERSION => ...) time travel) over tables named domain.product.table, e.g. SELECT * FROM content.catalogue.titles.")]
    string? Sql);
