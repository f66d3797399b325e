using System.Security.Cryptography;
using System.Text;

namespace MeshInABox.Domain.Naming;

/// <summary>
/// The PostgreSQL roles the storage plane creates, named once for the registry (which creates and grants
/// them) and the lakehouse (which reads as the consumer's role). Roles are server-wide, so every name
/// starts with the mesh's prefix: two meshes (or two test runs) on one server never share a role.
/// Names longer than PostgreSQL's 63 bytes keep their start and end in a hash of the whole.
/// </summary>
public sealed record PostgresRoles
{
    public const string DefaultPrefix = "mesh";

    /// <summary>Configuration key of the prefix, read by both services.</summary>
    public const string PrefixSetting = "Mesh:PostgresRolePrefix";

    private const int MaxIdentifier = 63;

    public PostgresRoles(string prefix = DefaultPrefix)
    {
        if (prefix.Length is 0 or > 16 || !char.IsAsciiLetterLower(prefix[0]) || !prefix.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
        {
            throw new ArgumentException($"A role prefix is 1 to 16 of a-z, 0-9 and '_', starting with a letter: '{prefix}' is not.", nameof(prefix));
        }

        Prefix = prefix;
    }

    public string Prefix { get; }

    /// <summary>The one platform-wide role that sees names, columns, types, comments and row estimates, never a row.</summary>
    public string Metadata => $"{Prefix}_metadata";

    /// <summary>The login role of the producing team for one product: owns its schema and tables.</summary>
    public string Owner(string productId) => Limit($"{Prefix}_{MeshNames.ProductSchema(productId)}_owner");

    /// <summary>The product's restricted access role: SELECT on every current and future table of its schema.</summary>
    public string Restricted(string productId) => Limit($"{Prefix}_{MeshNames.ProductSchema(productId)}_restricted");

    /// <summary>The product's open access role: SELECT on the columns no contract property classifies as restricted.</summary>
    public string Open(string productId) => Limit($"{Prefix}_{MeshNames.ProductSchema(productId)}_open");

    /// <summary>The role one approved access request grants to its consumer (dropped when the grant is revoked).</summary>
    public string Access(long requestId) => $"{Prefix}_access_{requestId}";

    /// <summary>A consumer's own role (NOLOGIN), which the query service reads as: a token's sub, lower-cased, plus a hash of it exactly.</summary>
    public string Consumer(string subject)
    {
        var readable = new string([.. subject.ToLowerInvariant().Select(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) ? c : '_').Take(24)]);
        return $"{Prefix}_u_{readable}_{Hash(subject)}";
    }

    private static string Limit(string name) =>
        Encoding.UTF8.GetByteCount(name) <= MaxIdentifier ? name : $"{name[..(MaxIdentifier - 9 - 12)]}_{Hash(name)}{name[^12..]}";

    private static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..8];
}
