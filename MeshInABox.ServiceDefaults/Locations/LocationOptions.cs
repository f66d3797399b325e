namespace MeshInABox.ServiceDefaults.Locations;

/// <summary>
/// Where domain teams' files may live, section <c>Locations</c>: the mesh repositories the platform was
/// started with. A product's file output must lie in its own folder of one of them
/// (<c>&lt;root&gt;/&lt;domain&gt;/&lt;name&gt;/</c>); every service that reads or records a location checks it.
/// </summary>
public sealed class LocationOptions
{
    public const string SectionName = "Locations";

    /// <summary>Mesh repository folders (<c>Locations__RepositoryRoots__0</c>, ...). None: no file output is accepted.</summary>
    public string[] RepositoryRoots { get; set; } = [];
}
