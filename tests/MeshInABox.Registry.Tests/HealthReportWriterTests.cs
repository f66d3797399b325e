using System.Text.Json;
using MeshInABox.ServiceDefaults;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MeshInABox.Registry.Tests;

/// <summary>Starting is 503; Degraded alone (Kafka away) keeps the status the health middleware chose (200).</summary>
public sealed class HealthReportWriterTests
{
    private static readonly Dictionary<string, object> Starting = new() { [HealthReportWriter.StartingKey] = true };

    [Fact]
    public async Task Degraded_WithoutStarting_KeepsTheStatusCode()
    {
        var (status, report) = await WriteAsync(("kafka", new HealthReportEntry(HealthStatus.Degraded, "Broker away.", TimeSpan.Zero, null, null)));

        Assert.Equal(StatusCodes.Status200OK, status);
        Assert.Equal("Degraded", report.GetProperty("status").GetString());
        Assert.Equal("Degraded", report.GetProperty("checks").GetProperty("kafka").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Starting_Is503_AndSaysStarting_BesideADegradedCheck()
    {
        var (status, report) = await WriteAsync(
            ("kafka", new HealthReportEntry(HealthStatus.Degraded, "Broker away.", TimeSpan.Zero, null, null)),
            ("migrations", new HealthReportEntry(HealthStatus.Degraded, "Starting: not yet.", TimeSpan.Zero, null, Starting)));

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, status);
        Assert.Equal("Starting", report.GetProperty("status").GetString());
        Assert.Equal("Degraded", report.GetProperty("checks").GetProperty("kafka").GetProperty("status").GetString());
        Assert.Equal("Starting", report.GetProperty("checks").GetProperty("migrations").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Unhealthy_WhileStarting_StaysUnhealthy()
    {
        var (status, report) = await WriteAsync(
            ("PostgreSql", new HealthReportEntry(HealthStatus.Unhealthy, "Connection refused.", TimeSpan.Zero, null, null)),
            ("migrations", new HealthReportEntry(HealthStatus.Degraded, "Starting: waiting for PostgreSQL.", TimeSpan.Zero, null, Starting)));

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, status);
        Assert.Equal("Unhealthy", report.GetProperty("status").GetString());
        Assert.Equal("Starting", report.GetProperty("checks").GetProperty("migrations").GetProperty("status").GetString());
    }

    private static async Task<(int Status, JsonElement Report)> WriteAsync(params (string Name, HealthReportEntry Entry)[] entries)
    {
        var report = new HealthReport(entries.ToDictionary(e => e.Name, e => e.Entry), TimeSpan.Zero);
        // What the health middleware sets before the writer runs: 503 for Unhealthy, 200 otherwise.
        var context = new DefaultHttpContext { Response = { Body = new MemoryStream() } };
        context.Response.StatusCode = report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;

        await HealthReportWriter.WriteAsync(context, report);

        context.Response.Body.Position = 0;
        return (context.Response.StatusCode, await JsonSerializer.DeserializeAsync<JsonElement>(context.Response.Body, cancellationToken: TestContext.Current.CancellationToken));
    }
}
