using MeshInABox.ServiceDefaults;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MeshInABox.Postgres.Migrations;

/// <summary>
/// Starting until the schema is current, Healthy then; Unhealthy only when a migration failed, saying why.
/// Starting is Degraded marked <see cref="HealthReportWriter.StartingKey"/>: /health answers 503 for it, and
/// a start polled before the migrations finished logs no error.
/// </summary>
public sealed class MigrationHealthCheck(MigrationState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(state.Status switch
        {
            MigrationStatus.Applied => HealthCheckResult.Healthy(state.Description),
            MigrationStatus.Failed => HealthCheckResult.Unhealthy(
                state.Description,
                data: new Dictionary<string, object> { [HealthReportWriter.RequiresActionKey] = true }),
            _ => HealthCheckResult.Degraded(
                state.Description,
                data: new Dictionary<string, object> { [HealthReportWriter.StartingKey] = true }),
        });
}
