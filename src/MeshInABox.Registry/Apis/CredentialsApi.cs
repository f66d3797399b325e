using MeshInABox.Domain.Naming;
using MeshInABox.Registry.Auth;
using MeshInABox.Registry.Storage;
using MeshInABox.Storage.Postgres;
using MeshInABox.Storage.Provisioning;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MeshInABox.Registry.Apis;

/// <summary>
/// A PostgreSQL product's owner login, for its own domain only: which role, when its password was last set, and where
/// the team's pgpass file is. No answer ever holds the password.
/// </summary>
public static class CredentialsApi
{
    public static IEndpointRouteBuilder MapCredentialsApi(this IEndpointRouteBuilder app)
    {
        var writes = app.MapGroup("/data-products/{productId}/credentials").WithTags("Storage").RequireAuthorization(RegistryAuthExtensions.WritePolicy);
        writes.MapGet("/", GetCredentials).WithName(nameof(GetCredentials)).RequireProductWriter()
            .WithSummary("The product's owner login: role, when its password was set, and the pgpass file it is in (never the password).")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        writes.MapPost("/rotation", RotateCredentials).WithName(nameof(RotateCredentials)).RequireProductWriter()
            .WithSummary("A new password for the product's owner login: the old one opens no new session.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    /// <param name="Role">The owner login's PostgreSQL role.</param>
    /// <param name="PassFile">Where the team reads the password (a pgpass file, owner-only), when this mesh writes one.</param>
    public sealed record CredentialsResponse(string ProductId, string Role, DateTimeOffset? RotatedAt, string? PassFile);

    public static async Task<Results<Ok<CredentialsResponse>, ProblemHttpResult>> GetCredentials(
        string productId, IServiceProvider services, CancellationToken ct)
    {
        if (services.GetService<ProtectedOwnerCredentials>() is not { } credentials || services.GetService<PostgresRoles>() is not { } roles)
        {
            return NoStorage(productId);
        }

        var role = roles.Owner(productId);
        return await credentials.RotatedAtAsync(role, ct) is { } at
            ? TypedResults.Ok(new CredentialsResponse(productId, role, at, credentials.PassFileOf(role)))
            : NotProvisioned(productId);
    }

    public static async Task<Results<Ok<CredentialsResponse>, ProblemHttpResult>> RotateCredentials(
        string productId, IServiceProvider services, CancellationToken ct)
    {
        if (services.GetService<PostgresStorage>() is not { } postgres || services.GetService<ProtectedOwnerCredentials>() is not { } credentials
            || services.GetService<PostgresRoles>() is not { } roles)
        {
            return NoStorage(productId);
        }

        var step = await postgres.RotateAsync(productId, ct);
        if (step.Outcome == StepOutcome.Failed)
        {
            return TypedResults.Problem($"'{productId}' has no owner login to rotate: {step.Detail}", statusCode: StatusCodes.Status409Conflict, title: "Not provisioned");
        }

        var role = roles.Owner(productId);
        return TypedResults.Ok(new CredentialsResponse(productId, role, await credentials.RotatedAtAsync(role, ct), credentials.PassFileOf(role)));
    }

    private static ProblemHttpResult NoStorage(string productId) =>
        TypedResults.Problem($"This mesh provisions no PostgreSQL storage (the storage plane is on from iteration-2), so {MeshNames.Quote(productId)} has no owner login.",
            statusCode: StatusCodes.Status409Conflict, title: "No storage plane");

    private static ProblemHttpResult NotProvisioned(string productId) =>
        TypedResults.Problem($"{MeshNames.Quote(productId)} has no provisioned PostgreSQL output, so no owner login.", statusCode: StatusCodes.Status409Conflict, title: "Not provisioned");
}
