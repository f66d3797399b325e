using System.Security.Claims;
using MeshInABox.Domain.Naming;
using MeshInABox.Registry.Auth;
using MeshInABox.Registry.Infrastructure;
using MeshInABox.Registry.Model;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MeshInABox.Registry.Apis;

/// <summary>Who may read a restricted product: granted and revoked by the owning domain only.</summary>
public static class GrantsApi
{
    public static IEndpointRouteBuilder MapGrantsApi(this IEndpointRouteBuilder app)
    {
        var reads = app.MapGroup("/data-products/{productId}/grants").WithTags("Access").RequireAuthorization(RegistryAuthExtensions.ReadPolicy);
        var writes = app.MapGroup("/data-products/{productId}/grants").WithTags("Access").RequireAuthorization(RegistryAuthExtensions.WritePolicy);

        reads.MapGet("/", ListGrants).WithName(nameof(ListGrants)).WithSummary("Who may read this product.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        reads.MapGet("/{subject}", GetGrant).WithName(nameof(GetGrant)).WithSummary("Whether a subject (a token's sub) may read this product: 200 or 404.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        writes.MapPut("/{subject}", Grant).WithName(nameof(Grant)).RequireProductWriter().WithSummary("Let a subject read this product (owning domain only).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        writes.MapDelete("/{subject}", Revoke).WithName(nameof(Revoke)).RequireProductWriter().WithSummary("Take a subject's access away (owning domain only).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Results<Ok<IReadOnlyList<GrantResponse>>, ProblemHttpResult>> ListGrants(
        string productId, ProductStore products, GrantStore grants, CancellationToken ct) =>
        await products.GetAsync(productId, ct) is null
            ? DataProductsApi.NotFound(productId)
            : TypedResults.Ok<IReadOnlyList<GrantResponse>>([.. (await grants.ListAsync(productId, ct)).Select(g => g.ToResponse())]);

    /// <summary>A subject that breaks the rule can hold no grant: 404 with the rule, so a caller asking for any token's sub gets an answer.</summary>
    public static async Task<Results<Ok<GrantResponse>, ProblemHttpResult>> GetGrant(string productId, string subject, GrantStore grants, CancellationToken ct) =>
        MeshNames.Subject(subject) is { } rule
            ? TypedResults.Problem($"No grant: {rule}", statusCode: StatusCodes.Status404NotFound, title: "No grant")
            : MeshNames.ProductId(productId) is null && await grants.GetAsync(productId, subject, ct) is { } grant
                ? TypedResults.Ok(grant.ToResponse())
                : TypedResults.Problem($"'{subject}' has no grant on {MeshNames.Quote(productId)}.", statusCode: StatusCodes.Status404NotFound, title: "No grant");

    /// <remarks>The product is known and the caller's to write (<see cref="ProductWriteFilter"/>).</remarks>
    public static async Task<Results<Ok<GrantResponse>, ValidationProblem>> Grant(
        string productId, string subject, ClaimsPrincipal user, GrantStore grants, TimeProvider time, CancellationToken ct)
    {
        if (SubjectProblem(subject) is { } problem)
        {
            return problem;
        }

        return TypedResults.Ok((await grants.GrantAsync(productId, subject, user.Identity?.Name ?? "unknown", time.GetUtcNow(), ct)).ToResponse());
    }

    /// <remarks>The product is known and the caller's to write (<see cref="ProductWriteFilter"/>).</remarks>
    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Revoke(
        string productId, string subject, ClaimsPrincipal user, GrantStore grants, TimeProvider time, CancellationToken ct)
    {
        if (SubjectProblem(subject) is { } problem)
        {
            return problem;
        }

        return await grants.RevokeAsync(productId, subject, user.Identity?.Name ?? "unknown", time.GetUtcNow(), ct)
            ? TypedResults.NoContent()
            : TypedResults.Problem($"'{subject}' has no grant on '{productId}'.", statusCode: StatusCodes.Status404NotFound, title: "No grant");
    }

    private static ValidationProblem? SubjectProblem(string subject)
    {
        var checks = new RequestChecks();
        checks.Name(subject, "subject", MeshNames.Subject);
        return checks.Failed ? TypedResults.ValidationProblem(checks.Errors) : null;
    }
}
