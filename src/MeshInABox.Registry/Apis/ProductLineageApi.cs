using System.ComponentModel;
using MeshInABox.Domain.Naming;
using MeshInABox.Registry.Auth;
using MeshInABox.Registry.ProductLineage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MeshInABox.Registry.Apis;

/// <summary>
/// Design-time lineage as consumers ask for it: one hop up and down by default, further on demand, one column's path
/// only, and how much each answer left out; the products a change would break, with their owners.
/// </summary>
public static class ProductLineageApi
{
    public const int DefaultDepth = 1;

    /// <summary>PostgreSQL's and DuckDB's identifiers are shorter; a longer name is no column of any contract the mesh binds.</summary>
    public const int MaxColumnLength = 255;

    public static IEndpointRouteBuilder MapProductLineageApi(this IEndpointRouteBuilder app)
    {
        var reads = app.MapGroup("/data-products/{productId}").WithTags("Lineage").RequireAuthorization(RegistryAuthExtensions.ReadPolicy)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        reads.MapGet("/lineage", GetProductLineage).WithName(nameof(GetProductLineage))
            .WithSummary("The products this one is made from and those made from it, as far as 'depth' hops (1 by default), with counts of what is further away.")
            .WithDescription("Links come from each product's current version's SQL (origin sql; files and tables outside the mesh are external nodes) and from declared inputs (origin declared).");
        reads.MapGet("/columns/{column}/lineage", GetColumnLineage).WithName(nameof(GetColumnLineage))
            .WithSummary("One column's path only: the columns it is computed from and those computed from it, each link DIRECT or INDIRECT with OpenLineage's subtype.")
            .WithDescription("'output' names the output the column belongs to; it may be left out when only one output of the product has that column.");
        reads.MapGet("/impact", GetImpact).WithName(nameof(GetImpact))
            .WithSummary("Every product built on this one, however far downstream, with its owner and the columns of this product it reads directly.");
        return app;
    }

    public static async Task<Results<Ok<LineageGraph>, ValidationProblem, ProblemHttpResult>> GetProductLineage(
        string productId, ProductLineageService lineage, CancellationToken ct,
        [Description("upstream, downstream or both (the default).")] string? direction = null,
        [Description("Hops to walk, 1 (the default) to 20.")] int? depth = null)
    {
        var checks = new RequestChecks();
        var (walk, hops) = Walk(direction, depth, checks);
        if (checks.Failed)
        {
            return TypedResults.ValidationProblem(checks.Errors);
        }

        return await lineage.GraphAsync(productId, walk, hops, ct) is { } graph ? TypedResults.Ok(graph) : NotFound(productId);
    }

    public static async Task<Results<Ok<ColumnLineage>, ValidationProblem, ProblemHttpResult>> GetColumnLineage(
        string productId, string column, ProductLineageService lineage, ProductLineageStore store, CancellationToken ct,
        [Description("The output the column belongs to.")] string? output = null,
        [Description("upstream, downstream or both (the default).")] string? direction = null,
        [Description("Hops to walk, 1 (the default) to 20.")] int? depth = null)
    {
        var checks = new RequestChecks();
        var (walk, hops) = Walk(direction, depth, checks);
        checks.Text(output, "output", MeshNames.MaxOutputLength);
        checks.Text(column, "column", MaxColumnLength);
        if (checks.Failed)
        {
            return TypedResults.ValidationProblem(checks.Errors);
        }

        if (output is null)
        {
            var outputs = await store.OutputsWithColumnAsync(productId, column, ct);
            if (outputs.Count > 1)
            {
                checks.Add("output", $"Outputs {string.Join(", ", outputs.Select(MeshNames.Quote))} all have a column {MeshNames.Quote(column)}: name one with 'output'.");
                return TypedResults.ValidationProblem(checks.Errors);
            }

            output = outputs.FirstOrDefault();
        }

        return output is not null && await lineage.ColumnAsync(productId, output, column, walk, hops, ct) is { } path
            ? TypedResults.Ok(path)
            : TypedResults.Problem(
                $"'{productId}' has no current version with a column {MeshNames.Quote(column)}{(output is null ? "" : $" in output {MeshNames.Quote(output)}")}.",
                statusCode: StatusCodes.Status404NotFound, title: "Column not found");
    }

    public static async Task<Results<Ok<IReadOnlyList<ImpactedProduct>>, ProblemHttpResult>> GetImpact(string productId, ProductLineageService lineage, CancellationToken ct) =>
        await lineage.ImpactAsync(productId, ct) is { } impact ? TypedResults.Ok(impact) : NotFound(productId);

    /// <summary>The direction and depth of a walk, checked: a client cannot ask the registry to walk without end.</summary>
    public static (LineageDirection Direction, int Depth) Walk(string? direction, int? depth, RequestChecks checks)
    {
        var walk = direction switch
        {
            null or "both" => LineageDirection.Both,
            "upstream" => LineageDirection.Upstream,
            "downstream" => LineageDirection.Downstream,
            _ => (LineageDirection?)null,
        };
        if (walk is null)
        {
            checks.Add("direction", $"{MeshNames.Quote(direction!)} is no direction: use upstream, downstream or both.");
        }

        if (depth is < 1 or > ProductLineageService.MaxDepth)
        {
            checks.Add("depth", $"'depth' is 1 to {ProductLineageService.MaxDepth} hops.");
        }

        return (walk ?? LineageDirection.Both, depth ?? DefaultDepth);
    }

    private static ProblemHttpResult NotFound(string productId) => DataProductsApi.NotFound(productId);
}
