using MeshInABox.Domain.Products;
using MeshInABox.Registry.Access;
using MeshInABox.Registry.Infrastructure;
using MeshInABox.Registry.Products;
using MeshInABox.Storage.Postgres;
using MeshInABox.Storage.Provisioning;

namespace MeshInABox.Registry.Storage;

/// <summary>
/// A decided request applied where a PostgreSQL product's data is: the request's own access role, holding the
/// product's restricted or open role, granted to the consumer's role that the query service reads as. PostgreSQL
/// itself then allows or refuses the read. Products with no provisioned PostgreSQL output have nothing to do here.
/// </summary>
public sealed class PostgresAccessApplier(PostgresAccess postgres, EndpointStore endpoints, TimeProvider time) : IAccessApplier
{
    public const string Where = "postgres";

    public async Task<IReadOnlyList<AccessStep>> GrantAsync(AccessRequest request, RegisteredProduct product, string grantedBy, CancellationToken ct)
    {
        if (!await ProvisionedAsync(product, ct))
        {
            return [];
        }

        var level = request.Level == Access.AccessLevel.Restricted ? MeshInABox.Storage.Postgres.AccessLevel.Restricted : MeshInABox.Storage.Postgres.AccessLevel.Open;
        return Steps(await postgres.GrantAsync(request.Id, product.Id, request.Requester, level, ct));
    }

    public async Task<IReadOnlyList<AccessStep>> RevokeAsync(AccessRequest request, RegisteredProduct product, string revokedBy, CancellationToken ct) =>
        await ProvisionedAsync(product, ct) ? Steps(await postgres.RevokeAsync(request.Id, request.Requester, ct)) : [];

    private async Task<bool> ProvisionedAsync(RegisteredProduct product, CancellationToken ct) =>
        (await endpoints.ListAsync(product.Id, ct)).Any(e => e.Kind == OutputKind.Postgres && e.Provisioned);

    private IReadOnlyList<AccessStep> Steps(IReadOnlyList<StepResult> results) =>
        [.. results.Select(r => new AccessStep(Where, r.Step, r.Outcome.ToString().ToLowerInvariant(), r.Detail, time.GetUtcNow()))];
}
