using System.Security.Claims;

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

    public static bool HasScope(ClaimsPrincipal user, string scope) =>
        user.FindAll(ScopeClaim).Any(c => c.Value.Split(' ').Contains(scope, StringComparer.Ordinal));

    /// <summary>Whether the token names <paramref name="domain"/> (or every domain); the scope is checked apart.</summary>
    public static bool NamesDomain(ClaimsPrincipal user, string domain) =>
        user.FindAll(DomainClaim).Any(c => c.Value == domain || c.Value == AnyDomain);

    /// <summary>
    /// Whether the caller acts for the domain's team: the write scope and the domain in the token, as the
    /// registry requires of registering, publishing and granting.
    /// </summary>
    public static bool OwnsDomain(ClaimsPrincipal user, string domain) => HasScope(user, WriteScope) && NamesDomain(user, domain);

    /// <summary>The domains the caller acts for (<see cref="AnyDomain"/> included), none without the write scope.</summary>
    public static IReadOnlyList<string> OwnedDomains(ClaimsPrincipal user) =>
        HasScope(user, WriteScope) ? [.. user.FindAll(DomainClaim).Select(c => c.Value).Distinct(StringComparer.Ordinal)] : [];
}
