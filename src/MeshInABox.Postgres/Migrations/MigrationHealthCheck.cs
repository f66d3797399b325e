using MeshInABox.ServiceDefaults;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MeshInABox.Postgres.Migrations;

/// <summary>Unhealthy until the schema is current; a failed migration says why.</summary>
public sealed class MigrationHealthCheck(MigrationState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(state.Status switch
        {
            MigrationStatus.Applied => HealthCheckResult.Healthy(state.Description),
            MigrationStatus.Failed => HealthCheckResult.Unhealthy(
                state.Description,
                data: new Dictionary<string, object> { [HealthReportWriter.RequiresActionKey] = true }),
            _ => HealthCheckResult.Unhealthy(state.Description),
        });
}
