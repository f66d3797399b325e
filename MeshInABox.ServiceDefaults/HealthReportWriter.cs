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

    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new HealthReportDto(
            report.Status.ToString(),
            report.TotalDuration.TotalMilliseconds,
            report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new HealthCheckDto(
                    entry.Value.Status.ToString(),
                    entry.Value.Description ?? entry.Value.Exception?.Message,
                    entry.Value.Duration.TotalMilliseconds,
                    entry.Value.Data.Count == 0 ? null : entry.Value.Data)));
        return JsonSerializer.SerializeAsync(context.Response.Body, body, JsonOptions, context.RequestAborted);
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private sealed record HealthReportDto(string Status, double DurationMs, Dictionary<string, HealthCheckDto> Checks);

    private sealed record HealthCheckDto(string Status, string? Description, double DurationMs, IReadOnlyDictionary<string, object>? Data);
}
