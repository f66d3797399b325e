using Microsoft.AspNetCore.Http.HttpResults;

namespace MeshInABox.Registry.Apis;

/// <summary>
/// Reads in commit order after a position (0 for the start), at most <c>limit</c> at a time, as
/// <c>GET /events</c> and <c>GET /api/v1/lineage/events</c> page: the next page starts after the last position seen.
/// </summary>
public static class PositionPaging
{
    public const int MaxLimit = 1000;

    /// <param name="read">The items after a position; null when that position never existed.</param>
    /// <param name="what">What is paged, for the message about an unknown position ("event", "lineage event").</param>
    public static async Task<Results<Ok<TPage>, ValidationProblem>> ReadAsync<TItem, TPage>(
        long after, int limit, string what,
        Func<long, int, CancellationToken, Task<IReadOnlyList<TItem>?>> read,
        Func<TItem, long> position,
        Func<IReadOnlyList<TItem>, long, TPage> page,
        CancellationToken ct)
    {
        var checks = new RequestChecks();
        if (after < 0)
        {
            checks.Add("after", "'after' is a position, 0 or more.");
        }

        if (limit is < 1 or > MaxLimit)
        {
            checks.Add("limit", $"'limit' must be between 1 and {MaxLimit}.");
        }

        if (checks.Failed)
        {
            return TypedResults.ValidationProblem(checks.Errors);
        }

        var items = await read(after, limit, ct);
        if (items is null)
        {
            checks.Add("after", $"No {what} has position {after}: pass 0 or the 'next' of a previous page.");
            return TypedResults.ValidationProblem(checks.Errors);
        }

        return TypedResults.Ok(page(items, items.Count == 0 ? after : position(items[^1])));
    }
}
