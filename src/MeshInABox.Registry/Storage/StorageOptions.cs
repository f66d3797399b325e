namespace MeshInABox.Registry.Storage;

/// <summary>
/// The storage plane, section <c>Registry:Storage</c>: on from profile iteration-2, where outputs that declare a
/// <c>storage</c> template are provisioned before their version goes active.
/// </summary>
public sealed class StorageOptions
{
    public bool Enabled { get; set; }

    /// <summary>The lakehouse's root folder (the lakehouse service's <c>Lakehouse:LakeRoot</c>): lakehouse tables are created there.</summary>
    public string? LakeRoot { get; set; }

    /// <summary>Where retired products' data is archived (a dump per PostgreSQL product, a frozen snapshot per lakehouse table).</summary>
    public string? ArchiveDirectory { get; set; }

    /// <summary>Where the Data Protection keys that encrypt owner passwords are kept (owner-only); none: the default key ring.</summary>
    public string? KeysDirectory { get; set; }

    /// <summary>Where each owner role's pgpass file is written (owner-only), for the producing team; none: not written.</summary>
    public string? CredentialsDirectory { get; set; }

    /// <summary>
    /// The login the query service reads PostgreSQL products with, when it is not a superuser: it is made a member of
    /// consumer roles so it can act as them. Null when it is the registry's own login or a superuser.
    /// </summary>
    public string? ReaderLogin { get; set; }
}
