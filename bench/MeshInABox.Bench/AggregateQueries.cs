using System.Diagnostics;

namespace MeshInABox.Bench;

/// <summary>The aggregate queries the lakehouse benchmarks time over the impressions table ({0} = the table).</summary>
public static class AggregateQueries
{
    public static readonly string[] All =
    [
        "SELECT count(*) FROM {0}",
        "SELECT sum(cost_eur) FROM {0}",
        "SELECT campaign_id, count(*), sum(cost_eur) FROM {0} GROUP BY campaign_id",
        "SELECT placement, avg(cost_eur) FROM {0} WHERE clicked GROUP BY placement",
        "SELECT count(DISTINCT title_id) FROM {0} WHERE shown_at >= TIMESTAMPTZ '2026-02-01 00:00:00+00'",
    ];

    public static string For(string query, string table) => string.Format(System.Globalization.CultureInfo.InvariantCulture, query, table);

    /// <summary>Median of 5 runs after one warm-up, in milliseconds.</summary>
    public static async Task<double> MedianAsync(Func<Task> run)
    {
        var times = new List<double>();
        for (var i = 0; i < 6; i++)
        {
            var clock = Stopwatch.StartNew();
            await run();
            if (i > 0)
            {
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        return times.Order().ElementAt(times.Count / 2);
    }
}
