using System.Diagnostics;
using System.Text.Json;
using MeshInABox.Domain.Contracts;
using MeshInABox.Domain.Naming;
using MeshInABox.Domain.Versioning;
using MeshInABox.Registry.Auth;
using MeshInABox.Registry.Infrastructure;
using MeshInABox.Registry.Locations;
using MeshInABox.Registry.Model;
using MeshInABox.Registry.Products;
using MeshInABox.Registry.Publishing;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Semver;

namespace MeshInABox.Registry.Apis;

/// <summary>Publishing versions (idempotent, validated in the background) and following their status.</summary>
public static class VersionsApi
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public static IEndpointRouteBuilder MapVersionsApi(this IEndpointRouteBuilder app)
    {
        var reads = app.MapGroup("/data-products/{productId}/versions").WithTags("Versions").RequireAuthorization(RegistryAuthExtensions.ReadPolicy);
        var writes = app.MapGroup("/data-products/{productId}/versions").WithTags("Versions").RequireAuthorization(RegistryAuthExtensions.WritePolicy);

        writes.MapPost("/", PublishVersion).WithName(nameof(PublishVersion)).RequireProductWriter()
            .WithSummary("Publish a version with its ODCS contract; validation runs in the background.")
            .WithDescription("Requires an Idempotency-Key header. The same key and body return the same response; the same key with another body is 422; a number already published with other content is 409. Without outputs, they are taken from the contract's schema objects (see docs/registry.md).")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        reads.MapGet("/", ListVersions).WithName(nameof(ListVersions)).WithSummary("Every version of a product, rejected ones included.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        reads.MapGet("/{version}", GetVersion).WithName(nameof(GetVersion))
            .WithSummary("A version's status: accepted, validating, active or rejected (with the reasons and the changes).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Results<Accepted<VersionResponse>, ValidationProblem, ProblemHttpResult>> PublishVersion(
        string productId,
        [FromHeader(Name = IdempotencyKeyHeader)] string? idempotencyKey,
        PublishVersionRequest body,
        HttpContext http,
        VersionStore versions,
        PublishingSignal signal,
        LocationRules locations,
        TimeProvider time,
        CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(idempotencyKey) || idempotencyKey.Length > 200 || idempotencyKey.Any(char.IsControl))
        {
            return TypedResults.Problem(
                $"The {IdempotencyKeyHeader} header is required (1 to 200 printable characters): retries with the same key never publish twice.",
                statusCode: StatusCodes.Status400BadRequest, title: "Missing Idempotency-Key");
        }

        var product = http.WrittenProduct();
        var checks = new RequestChecks();
        var versionText = checks.Required(body.Version, "version", MeshNames.MaxVersionLength);
        SemVersion? version = null;
        if (versionText.Length > 0 && (version = VersionNumbers.Parse(versionText, out var versionError)) is null)
        {
            checks.Add("version", versionError!);
        }

        // Read once: its YAML is stored and hashed, its tree checked here; the worker reads the stored YAML.
        NormalisedContract? contract = null;
        DataContract? read = null;
        if (body.Contract is not { } contractJson || contractJson.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            checks.Add("contract", "'contract' is required: the ODCS document, as YAML text or a JSON object.");
        }
        else if (!SubmittedContract.TryNormalise(contractJson, out contract, out var error))
        {
            checks.Add("contract", $"The contract cannot be read: {error}");
        }
        else
        {
            if (contract.DeclaredVersion is var declared && version is not null && declared != versionText)
            {
                checks.Add("contract.version", $"The contract says version {MeshNames.Quote(declared)}, the request '{versionText}': they must match.");
            }

            read = contract.ReadContract();
        }

        NormalisedContract? streamContract = null;
        if (body.StreamContract is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } streamJson
            && !SubmittedContract.TryNormalise(streamJson, out streamContract, out var streamError))
        {
            checks.Add("streamContract", $"The AsyncAPI document cannot be read: {streamError}");
        }

        var outputs = VersionOutputs.Decide(body.Outputs, read, product, checks, locations);
        if (checks.Failed || version is null || contract is null || body.Contract is not { } submitted)
        {
            return TypedResults.ValidationProblem(checks.Errors);
        }

        var outputsJson = StoreJson.Serialize(outputs);
        var submission = new VersionStore.Submission(
            productId, version, contract.Yaml, streamContract?.Yaml,
            SubmittedContract.Hash(contract.Yaml, streamContract?.Yaml ?? "", outputsJson),
            outputs, idempotencyKey,
            SubmittedContract.Hash(versionText, submitted.GetRawText(), body.StreamContract?.GetRawText() ?? "", body.Outputs is null ? "" : outputsJson));
        var outcome = await versions.SubmitAsync(submission, time.GetUtcNow(), ct);
        if (outcome is SubmitOutcome.Accepted)
        {
            signal.Notify();
        }

        return outcome switch
        {
            SubmitOutcome.Accepted accepted => Accepted(accepted.Version),
            SubmitOutcome.Repeated repeated => Accepted(repeated.Version),
            SubmitOutcome.ProductNotFound => DataProductsApi.NotFound(productId),
            SubmitOutcome.ProductRetired => TypedResults.Problem(
                $"'{productId}' is retired: it stays readable as history but takes no new versions.",
                statusCode: StatusCodes.Status409Conflict, title: "Product retired"),
            SubmitOutcome.KeyReusedWithOtherBody reused => TypedResults.Problem(
                $"{IdempotencyKeyHeader} '{idempotencyKey}' was used for another request (version {reused.Earlier.Version}). Use a new key for a new request.",
                statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency key reused"),
            SubmitOutcome.VersionTaken taken => TypedResults.Problem(
                $"Version {versionText} of '{productId}' is already published ({EnumNames.Of(taken.Existing.Status)}) with other content. Publish a new version number.",
                statusCode: StatusCodes.Status409Conflict, title: "Version exists"),
            _ => throw new UnreachableException($"Submitting a version came to {outcome}, which has no answer."),
        };
    }

    public static async Task<Results<Ok<IReadOnlyList<VersionResponse>>, ProblemHttpResult>> ListVersions(
        string productId, ProductStore products, VersionStore versions, CancellationToken ct)
    {
        if (await products.GetAsync(productId, ct) is null)
        {
            return DataProductsApi.NotFound(productId);
        }

        var published = await versions.ListAsync(productId, ct);
        return TypedResults.Ok<IReadOnlyList<VersionResponse>>([.. published.Select(v => v.ToResponse())]);
    }

    public static async Task<Results<Ok<VersionResponse>, ProblemHttpResult>> GetVersion(
        string productId, string version, VersionStore versions, CancellationToken ct) =>
        MeshNames.ProductId(productId) is null && VersionNumbers.Parse(version, out _) is not null
        && await versions.GetAsync(productId, version, ct) is { } published
            ? TypedResults.Ok(published.ToResponse())
            : TypedResults.Problem($"{MeshNames.Quote(productId)} has no version {MeshNames.Quote(version)}.", statusCode: StatusCodes.Status404NotFound, title: "Unknown version");

    private static Accepted<VersionResponse> Accepted(PublishedVersion version) =>
        TypedResults.Accepted($"/data-products/{version.ProductId}/versions/{version.Version}", version.ToResponse());
}
