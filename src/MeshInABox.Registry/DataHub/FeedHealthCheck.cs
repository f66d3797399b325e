using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MeshInABox.Registry.DataHub;

/// <summary>
/// How far behind a feed is: degraded (not unhealthy: the registry still serves) while deliveries fail; the data
/// says the stored position, what the last read still holds, and the last failure.
/// </summary>
public sealed class FeedHealthCheck<TFeed, TUnit>(TFeed feed) : IHealthCheck
    where TFeed : PositionFeed<TUnit>
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["position"] = feed.Position,
            ["pending"] = feed.Pending,
            ["delivered"] = feed.Delivered,
            ["refused"] = feed.Refused,
            ["consecutiveFailures"] = feed.ConsecutiveFailures,
            ["leading"] = feed.Leading,
        };
        if (feed.LastFailure is { } failure)
        {
            data["lastFailure"] = failure;
        }

        return Task.FromResult(feed.ConsecutiveFailures > 0
            ? HealthCheckResult.Degraded($"{feed.Feed}: delivery failing ({feed.ConsecutiveFailures} attempts), {feed.Pending} waiting", data: data)
            : HealthCheckResult.Healthy($"{feed.Feed}: at position {feed.Position}, {feed.Pending} waiting", data));
    }
}
