using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MeshInABox.ServiceDefaults;

/// <summary>
/// Writes a health report as JSON so that people and scripts (<c>mesh status</c>)
/// see which check failed and why, not only "Unhealthy".
/// </summary>
public static class HealthReportWriter
{
    /// <summary>Data key a check sets when it will not recover without someone acting.</summary>
    public const string RequiresActionKey = "requiresAction";

    /// <summary>
    /// Data key a <see cref="HealthStatus.Degraded"/> check sets while its service is still starting: the check and
    /// the report say <see cref="StartingStatus"/> and /health answers 503, so hosts keep waiting. Degraded, not
    /// Unhealthy, because the health check service logs every Unhealthy result as an error.
    /// </summary>
    public const string StartingKey = "starting";

    public const string StartingStatus = "Starting";

    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        // Not a status code mapping: Degraded alone (Kafka away) stays 200, only Degraded-while-starting is 503.
        var starting = report.Entries.Values.Any(IsStarting);
        if (starting)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new HealthReportDto(
            starting && report.Status == HealthStatus.Degraded ? StartingStatus : report.Status.ToString(),
            report.TotalDuration.TotalMilliseconds,
            report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new HealthCheckDto(
                    IsStarting(entry.Value) ? StartingStatus : entry.Value.Status.ToString(),
                    entry.Value.Description ?? entry.Value.Exception?.Message,
                    entry.Value.Duration.TotalMilliseconds,
                    entry.Value.Data.Count == 0 ? null : entry.Value.Data)));
        return JsonSerializer.SerializeAsync(context.Response.Body, body, JsonOptions, context.RequestAborted);
    }

    private static bool IsStarting(HealthReportEntry entry) =>
        entry.Status == HealthStatus.Degraded && entry.Data.TryGetValue(StartingKey, out var flag) && flag is true;

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private sealed record HealthReportDto(string Status, double DurationMs, Dictionary<string, HealthCheckDto> Checks);

    private sealed record HealthCheckDto(string Status, string? Description, double DurationMs, IReadOnlyDictionary<string, object>? Data);
}
