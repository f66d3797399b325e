using MeshInABox.Registry.Infrastructure;
using MeshInABox.Registry.Products;

namespace MeshInABox.Registry.Access;

/// <summary>
/// The lakehouse's grant list (<c>GET /data-products/{id}/grants/{subject}</c>), which the query service checks live
/// before it reads a restricted lakehouse table or CSV file.
/// </summary>
public sealed class GrantListApplier(GrantStore grants, TimeProvider time) : IAccessApplier
{
    public const string Where = "grant-list";

    public async Task<IReadOnlyList<AccessStep>> GrantAsync(AccessRequest request, RegisteredProduct product, string grantedBy, CancellationToken ct)
    {
        var had = await grants.GetAsync(product.Id, request.Requester, ct) is not null;
        if (!had)
        {
            await grants.GrantAsync(product.Id, request.Requester, grantedBy, time.GetUtcNow(), ct);
        }

        return [new AccessStep(Where, "grant", had ? "unchanged" : "changed", $"'{request.Requester}' on the grant list of {product.Id}", time.GetUtcNow())];
    }

    public async Task<IReadOnlyList<AccessStep>> RevokeAsync(AccessRequest request, RegisteredProduct product, string revokedBy, CancellationToken ct)
    {
        var removed = await grants.RevokeAsync(product.Id, request.Requester, revokedBy, time.GetUtcNow(), ct);
        return [new AccessStep(Where, "revoke", removed ? "changed" : "unchanged", $"'{request.Requester}' off the grant list of {product.Id}", time.GetUtcNow())];
    }
}
