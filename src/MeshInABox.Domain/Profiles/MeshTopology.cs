namespace MeshInABox.Domain.Profiles;

/// <summary>
/// One service of the mesh: the plane that switches it on, what it is given, and the
/// configuration keys through which it is given them.
/// </summary>
/// <param name="Name">Resource name under Aspire, service name under the embedded host, and the <c>services:{name}</c> key others find it by.</param>
/// <param name="Plane">The plane that switches it on; a profile without the plane runs no such service.</param>
/// <param name="References">Services it calls (started first, found through <c>services:{name}:http:0</c>).</param>
/// <param name="SigningKeySetting">Where it reads the file of the key local tokens are signed with.</param>
/// <param name="LakeRootSetting">Where it reads the folder of its lakehouse tables, when it keeps any.</param>
/// <param name="PublishesEvents">Whether it is given the Kafka connection when the profile carries Kafka.</param>
public sealed record MeshServiceSpec(
    string Name,
    Plane Plane,
    IReadOnlyList<string> References,
    string SigningKeySetting,
    string? LakeRootSetting = null,
    bool PublishesEvents = false);

/// <summary>
/// Which services each plane runs and the configuration keys they read, defined once:
/// the embedded host and the Aspire AppHost both build the mesh from this, so the two
/// cannot drift. A new plane adds its service here, then its start-up to each host.
/// </summary>
public static class MeshTopology
{
    /// <summary>The PostgreSQL database every stateful service keeps its schema in (<c>ConnectionStrings:meshdb</c>).</summary>
    public const string Database = "meshdb";

    /// <summary>The Kafka connection (<c>ConnectionStrings:kafka</c>, bootstrap servers).</summary>
    public const string Kafka = "kafka";

    /// <summary>Mesh repositories whose product folders may hold file outputs: <c>Locations:RepositoryRoots:0</c>, <c>:1</c>, ...</summary>
    public const string RepositoryRootsSetting = "Locations:RepositoryRoots";

    /// <summary>The profile the mesh runs (<c>iteration-1</c>...), given to every service: the registry's catalog portal is the plain listing before the catalog plane.</summary>
    public const string ProfileSetting = "Mesh:Profile";

    /// <summary>The health endpoint every service serves (all checks; <c>/alive</c> is the process only).</summary>
    public const string HealthPath = "/health";

    /// <summary>The OpenAPI document every HTTP service publishes (ASP.NET Core's default for document <c>v1</c>).</summary>
    public const string OpenApiDocumentPath = "/openapi/v1.json";

    /// <summary>The API reference UI over that document (Scalar's default route for document <c>v1</c>), which <c>mesh up</c> prints.</summary>
    public const string ApiReferencePath = "/scalar/v1";

    /// <summary>The registry's switch for the storage plane, on in profiles that carry it (<see cref="ProvisionsStorage"/>).</summary>
    public const string StorageSetting = "Registry:Storage:Enabled";

    /// <summary>
    /// Folders the storage plane keeps under the mesh's data directory, by the registry setting that names each:
    /// the keys that encrypt owner passwords, the teams' pgpass files, retired products' archives.
    /// </summary>
    public static IReadOnlyList<(string Setting, string Folder)> StorageFolders { get; } =
    [
        ("Registry:Storage:KeysDirectory", Path.Combine("keys", "data-protection")),
        ("Registry:Storage:CredentialsDirectory", "credentials"),
        ("Registry:Storage:ArchiveDirectory", "archive"),
    ];

    /// <summary>The registry creates lakehouse tables where the lakehouse reads them: both are given the same folder.</summary>
    public static MeshServiceSpec Registry { get; } = new(
        "registry", Plane.DataProduct, References: [],
        SigningKeySetting: "Registry:Auth:SigningKeyFile",
        LakeRootSetting: "Registry:Storage:LakeRoot",
        PublishesEvents: true);

    public static MeshServiceSpec Lakehouse { get; } = new(
        "lakehouse", Plane.Lakehouse, References: [Registry.Name],
        SigningKeySetting: "Lakehouse:Auth:SigningKeyFile",
        LakeRootSetting: "Lakehouse:LakeRoot");

    /// <summary>Every service, in start order (a service comes after those it references).</summary>
    public static IReadOnlyList<MeshServiceSpec> All { get; } = [Registry, Lakehouse];

    /// <summary>The services a profile switches on, in start order.</summary>
    public static IReadOnlyList<MeshServiceSpec> For(MeshProfile profile) => [.. All.Where(service => profile.Has(service.Plane))];

    /// <summary>From the catalog plane on, the registry's events travel on Kafka (a switch: without it they wait in the outbox).</summary>
    public static bool CarriesKafka(MeshProfile profile) => profile.Has(Plane.Catalog);

    /// <summary>From the storage plane on, the registry provisions the storage outputs declare before their versions go active.</summary>
    public static bool ProvisionsStorage(MeshProfile profile) => profile.Has(Plane.Storage);

    /// <summary>A configuration key as an environment variable name (<c>Registry:Auth:SigningKeyFile</c> -> <c>Registry__Auth__SigningKeyFile</c>).</summary>
    public static string EnvironmentVariable(string key) => key.Replace(":", "__", StringComparison.Ordinal);
}
