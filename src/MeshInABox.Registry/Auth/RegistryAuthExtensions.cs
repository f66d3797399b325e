using System.Security.Claims;
using MeshInABox.Domain.Access;
using MeshInABox.ServiceDefaults;

namespace MeshInABox.Registry.Auth;

/// <summary>
/// JWT bearer tokens from a real OIDC issuer (Registry:Auth:Authority) or signed
/// with the mesh's local key (Registry:Auth:SigningKeyFile, what <c>mesh token</c> uses).
/// </summary>
public static class RegistryAuthExtensions
{
    public const string ReadPolicy = "dpr.read";
    public const string WritePolicy = "dpr.write";

    /// <summary>Somebody's own business (access requests): a token with the read or write scope, whatever reads need.</summary>
    public const string SubjectPolicy = "subject";

    public static IHostApplicationBuilder AddRegistryAuth(this IHostApplicationBuilder builder, RegistryAuthOptions auth)
    {
        builder.Services.AddMeshJwtBearer(auth);

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(WritePolicy, policy => policy.RequireAuthenticatedUser().RequireAssertion(c => HasScope(c.User, MeshAccess.WriteScope)))
            .AddPolicy(SubjectPolicy, policy => policy.RequireAuthenticatedUser()
                .RequireAssertion(c => HasScope(c.User, MeshAccess.ReadScope) || HasScope(c.User, MeshAccess.WriteScope)))
            .AddPolicy(ReadPolicy, policy =>
            {
                if (auth.RequireReadScope)
                {
                    policy.RequireAuthenticatedUser().RequireAssertion(c => HasScope(c.User, MeshAccess.ReadScope) || HasScope(c.User, MeshAccess.WriteScope));
                }
                else
                {
                    policy.RequireAssertion(_ => true);
                }
            });
        return builder;
    }

    public static bool HasScope(ClaimsPrincipal user, string scope) => MeshAccess.HasScope(user, scope);

    /// <summary>A token writes only products of the domains it names.</summary>
    public static bool CanWrite(ClaimsPrincipal user, string domain) => MeshAccess.NamesDomain(user, domain);

    public static string Domains(ClaimsPrincipal user) =>
        string.Join(", ", user.FindAll(MeshAccess.DomainClaim).Select(c => c.Value).DefaultIfEmpty("none"));
}
