using System.Security.Claims;
using System.Text.Json;
using MeshInABox.Domain.Access;
using MeshInABox.Registry.Auth;
using MeshInABox.Registry.Infrastructure;
using MeshInABox.Registry.Model;
using MeshInABox.Registry.OpenLineage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace MeshInABox.Registry.Apis;

/// <summary>
/// OpenLineage 2-0-2 intake at Marquez's path, so any OpenLineage client (Airflow, Spark, dbt, the Java and
/// Python clients) can send here: RunEvents, JobEvents and DatasetEvents, one or a batch, each for a domain
/// the caller writes (<see cref="LineageDomains"/>).
/// </summary>
public static class LineageApi
{
    /// <summary>Dataset edges one post may make (inputs x outputs, summed over its run events).</summary>
    public const int MaxDatasetEdgesPerPost = 10_000;

    public static IEndpointRouteBuilder MapLineageApi(this IEndpointRouteBuilder app)
    {
        var lineage = app.MapGroup("/api/v1/lineage").WithTags("Lineage");
        lineage.MapPost("", PostLineage).WithName(nameof(PostLineage))
            .RequireAuthorization(RegistryAuthExtensions.WritePolicy)
            .Accepts<JsonElement>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .WithSummary("Take OpenLineage 2-0-2 events (RunEvent, JobEvent, DatasetEvent), one or an array of up to 1,000; all are stored or none.")
            .WithDescription("Each event's job namespace (a DatasetEvent's dataset namespace) is mesh://<domain>, a domain the token writes. Re-posting an event stores nothing new.");
        lineage.MapGet("/events", GetLineageEvents).WithName(nameof(GetLineageEvents))
            .RequireAuthorization(RegistryAuthExtensions.ReadPolicy)
            .WithSummary("Stored OpenLineage events in the order they were taken in, after a position (0 for the start).");
        return app;
    }

    public static async Task<Results<Ok<LineageIntakeResponse>, ValidationProblem, ProblemHttpResult>> PostLineage(
        [FromBody] JsonElement body, ClaimsPrincipal user, LineageStore store, TimeProvider time, CancellationToken ct)
    {
        var batch = body.ValueKind == JsonValueKind.Array;
        if (batch && body.GetArrayLength() > OpenLineageValidator.MaxBatchEvents)
        {
            return TooLarge($"{body.GetArrayLength()} events are given; at most {OpenLineageValidator.MaxBatchEvents} are taken per request. Send them in smaller batches.");
        }

        var checks = new RequestChecks();
        var events = OpenLineageValidator.Read(body, checks);
        if (checks.Failed)
        {
            return TypedResults.ValidationProblem(checks.Errors, title: "The lineage events break the OpenLineage 2-0-2 spec; nothing was stored.");
        }

        var edges = events.Where(e => e.Kind == LineageEventKind.Run).Sum(e => (long)e.Inputs.Count * e.Outputs.Count);
        if (edges > MaxDatasetEdgesPerPost)
        {
            return TooLarge($"The run events make {edges} dataset edges (inputs x outputs); at most {MaxDatasetEdgesPerPost} are taken per request. Send them in smaller batches.");
        }

        if (Refusals(events, batch, user) is { Count: > 0 } refusals)
        {
            return TypedResults.Problem(
                refusals.First().Value + (refusals.Count > 1 ? $" ({refusals.Count} events are refused; nothing was stored.)" : " Nothing was stored."),
                statusCode: StatusCodes.Status403Forbidden, title: "Lineage for another domain",
                extensions: new Dictionary<string, object?> { ["refused"] = refusals });
        }

        return TypedResults.Ok((await store.StoreAsync(events, time.GetUtcNow(), ct)).ToResponse());
    }

    public static Task<Results<Ok<LineageEventPage>, ValidationProblem>> GetLineageEvents(LineageStore store, CancellationToken ct, long after = 0, int limit = 100) =>
        PositionPaging.ReadAsync(after, limit, "lineage event", store.ReadAsync, e => e.Position,
            (events, next) => new LineageEventPage([.. events.Select(e => e.ToResponse())], next), ct);

    /// <summary>Each event whose namespace names no domain, or a domain the token does not write, by the field that says so.</summary>
    private static Dictionary<string, string> Refusals(IReadOnlyList<ReceivedLineageEvent> events, bool batch, ClaimsPrincipal user)
    {
        var refusals = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < events.Count; i++)
        {
            var owner = events[i].Job ?? events[i].Dataset!;
            var field = (batch ? $"[{i}]." : "") + (events[i].Job is null ? "dataset.namespace" : "job.namespace");
            if (LineageDomains.Of(owner.Namespace, out var reason) is not { } domain)
            {
                refusals[field] = reason!;
            }
            else if (!MeshAccess.OwnsDomain(user, domain))
            {
                refusals[field] = $"This token may write the domains [{RegistryAuthExtensions.Domains(user)}], not '{domain}' ({field} is '{owner.Namespace}'). Ask for a token for '{domain}'.";
            }
        }

        return refusals;
    }

    private static ProblemHttpResult TooLarge(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too many lineage events or edges");
}
