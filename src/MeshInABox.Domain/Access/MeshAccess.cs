namespace MeshInABox.Domain.Access;

/// <summary>
/// The registry's access vocabulary, shared by whoever issues tokens (an OIDC
/// provider, or <c>mesh token</c> locally) and the services that check them.
/// </summary>
public static class MeshAccess
{
    /// <summary>Read products, versions, endpoints and events.</summary>
    public const string ReadScope = "dpr.read";

    /// <summary>Register products and publish versions, for the domains in the token.</summary>
    public const string WriteScope = "dpr.write";

    /// <summary>Space-separated scopes, as OAuth 2.0 puts them in a token.</summary>
    public const string ScopeClaim = "scope";

    /// <summary>One claim per domain the caller may write; <see cref="AnyDomain"/> for all.</summary>
    public const string DomainClaim = "mesh_domain";

    public const string AnyDomain = "*";
}
