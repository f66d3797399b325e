using MeshInABox.Registry.Products;

namespace MeshInABox.Registry.Access;

/// <summary>
/// Applies a decided request where the product's data is, and undoes it: each store the product uses reports its
/// steps. Applying twice, or undoing what is already undone, changes nothing.
/// </summary>
public interface IAccessApplier
{
    Task<IReadOnlyList<AccessStep>> GrantAsync(AccessRequest request, RegisteredProduct product, string grantedBy, CancellationToken ct);

    Task<IReadOnlyList<AccessStep>> RevokeAsync(AccessRequest request, RegisteredProduct product, string revokedBy, CancellationToken ct);
}
