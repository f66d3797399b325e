using System.ComponentModel;
using System.Security.Claims;
using MeshInABox.Domain.Access;
using MeshInABox.Lakehouse.OpenApi;
using MeshInABox.Lakehouse.Usage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MeshInABox.Lakehouse.Apis;

/// <summary>
/// <c>GET /usage</c>: who reads which products through the lakehouse, from the usage records. Records say who
/// queried what, so they need a token: a caller sees its own queries, a domain team every read of its
/// products, a token for every domain (<c>mesh_domain: *</c>) everything (<see cref="UsageViewer"/>).
/// </summary>
public static class UsageApi
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1_000;

    public static IEndpointRouteBuilder MapUsageApi(this IEndpointRouteBuilder app)
    {
        var usage = app.MapGroup("/usage").WithTags("Usage").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        usage.MapGet("/products", GetProducts).WithName(nameof(GetProducts))
            .WithSummary("Queries and distinct consumers per product read through the lakehouse, most read first.")
            .WithDescription("Counts the reads the caller may see: its own queries, and every query over the products of the domains its token acts for (dpr.write and mesh_domain; * for all).")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        usage.MapGet("/products/{productId}", GetProduct).WithName(nameof(GetProduct))
            .WithSummary("One product's consumers: who ran how many queries over which outputs, and when last.")
            .WithDescription("All consumers for the product's own domain (dpr.write and mesh_domain naming it, or *); anyone else sees only their own queries.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        usage.MapGet("/queries", GetQueries).WithName(nameof(GetQueries))
            .WithSummary("Query records, newest first: who, when, how long, how each ended (outcome, HTTP status, reason), the SQL and what it read.")
            .WithDescription($"The caller's own queries; a token for every domain (mesh_domain: *, with dpr.write) sees everyone's and may filter by subject. Outcomes: {string.Join(", ", QueryOutcomes.Names)}.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .AddOpenApiOperationTransformer(LakehouseOpenApi.DescribeUsageQueries);
        return app;
    }

    public static async Task<Ok<IReadOnlyList<ProductUsage>>> GetProducts(
        ClaimsPrincipal user, UsageStore store, [Description("Only queries started at or after this time.")] DateTimeOffset? since, CancellationToken ct) =>
        TypedResults.Ok(await store.ProductsAsync(UsageViewer.Of(user), since ?? DateTimeOffset.UnixEpoch, ct));

    public static async Task<Ok<ProductConsumers>> GetProduct(
        string productId, ClaimsPrincipal user, UsageStore store, [Description("Only queries started at or after this time.")] DateTimeOffset? since, CancellationToken ct) =>
        TypedResults.Ok(await store.ProductAsync(productId, UsageViewer.Of(user), since ?? DateTimeOffset.UnixEpoch, ct));

    public static async Task<Results<Ok<IReadOnlyList<QueryRecord>>, ValidationProblem, ProblemHttpResult>> GetQueries(
        ClaimsPrincipal user, UsageStore store,
        [Description("Only queries started at or after this time.")] DateTimeOffset? since,
        [Description("Only this outcome: completed, truncated, failed, cancelled (queries that ran) or invalid, forbidden, unknown, throttled, unavailable (refused).")] string? outcome,
        [Description("Only this caller's queries (a token's sub, or 'anonymous'); for tokens that see everyone's.")] string? subject,
        [Description("At most this many records (1 to 1000, 100 by default).")] int? limit,
        CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (outcome is not null && !QueryOutcomes.Names.Contains(outcome))
        {
            errors["outcome"] = [$"'{outcome}' is no outcome; one of {string.Join(", ", QueryOutcomes.Names)}."];
        }

        if (limit is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"limit is 1 to {MaxLimit}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var viewer = UsageViewer.Of(user);
        if (subject is not null && subject != viewer.Subject && !viewer.Everything)
        {
            return TypedResults.Problem(
                $"Only a token for every domain (mesh_domain '{MeshAccess.AnyDomain}', scope {MeshAccess.WriteScope}) reads other callers' queries; this token is for '{viewer.Subject}'.",
                statusCode: StatusCodes.Status403Forbidden, title: "Not your queries");
        }

        var filter = new QueryFilter(since ?? DateTimeOffset.UnixEpoch, subject, outcome, limit ?? DefaultLimit);
        return TypedResults.Ok(await store.QueriesAsync(viewer, filter, ct));
    }
}
