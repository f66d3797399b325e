using MeshInABox.Domain.Profiles;

namespace MeshInABox.Registry.Portal;

/// <summary>
/// What the portal shows, from the mesh's profile (<see cref="MeshTopology.ProfileSetting"/>): before the catalog plane
/// (iteration-0) the plain listing the book describes, from it on the full portal. A registry run alone, without the
/// setting, shows the full portal.
/// </summary>
public sealed record CatalogMode(MeshProfile? Profile)
{
    public bool Full => Profile is null || Profile.Has(Plane.Catalog);

    public static CatalogMode From(IConfiguration configuration)
    {
        var name = configuration[MeshTopology.ProfileSetting];
        if (string.IsNullOrWhiteSpace(name))
        {
            return new CatalogMode((MeshProfile?)null);
        }

        return MeshProfile.TryFind(name, out var profile)
            ? new CatalogMode(profile)
            : throw new InvalidOperationException(
                $"{MeshTopology.ProfileSetting} is '{name}', which is no profile: use one of {string.Join(", ", MeshProfile.All.Select(p => p.Name))}.");
    }
}
