using MeshInABox.Registry.Auth;
using MeshInABox.Registry.Infrastructure;
using MeshInABox.Registry.Model;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MeshInABox.Registry.Apis;

/// <summary>The outbox, read by position: how the catalog and other consumers follow the registry.</summary>
public static class EventsApi
{
    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/events", GetEvents).WithName(nameof(GetEvents)).WithTags("Events")
            .RequireAuthorization(RegistryAuthExtensions.ReadPolicy)
            .WithSummary("Registry events in commit order, after a position (0 for the start).");
        return app;
    }

    public static async Task<Results<Ok<EventPage>, ValidationProblem>> GetEvents(Outbox outbox, CancellationToken ct, long after = 0, int limit = 100)
    {
        var checks = new RequestChecks();
        if (after < 0)
        {
            checks.Add("after", "'after' is a position, 0 or more.");
        }

        if (limit is < 1 or > 1000)
        {
            checks.Add("limit", "'limit' must be between 1 and 1000.");
        }

        if (checks.Failed)
        {
            return TypedResults.ValidationProblem(checks.Errors);
        }

        var events = await outbox.ReadAsync(after, limit, ct);
        if (events is null)
        {
            checks.Add("after", $"No event has position {after}: pass 0 or the 'next' of a previous page.");
            return TypedResults.ValidationProblem(checks.Errors);
        }

        return TypedResults.Ok(new EventPage([.. events.Select(e => e.ToResponse())], events.Count == 0 ? after : events[^1].Position));
    }
}
