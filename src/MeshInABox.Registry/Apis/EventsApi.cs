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

    public static Task<Results<Ok<EventPage>, ValidationProblem>> GetEvents(Outbox outbox, CancellationToken ct, long after = 0, int limit = 100) =>
        PositionPaging.ReadAsync(after, limit, "event", outbox.ReadAsync, e => e.Position,
            (events, next) => new EventPage([.. events.Select(e => e.ToResponse())], next), ct);
}
