using MeshInABox.Domain.Access;
using MeshInABox.ServiceDefaults.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace MeshInABox.Registry.Portal;

/// <summary>Who is signed in to the portal, as the registry's bearer scheme validated the token the cookie carries.</summary>
/// <param name="Subject">The token's subject; null when nobody is signed in.</param>
/// <param name="Rejected">Why the stored token no longer validates (expired, another key); the cookie is dropped.</param>
public sealed record PortalUser(string? Subject, bool MayAct, IReadOnlyList<string> OwnedDomains, string? Rejected = null)
{
    public static readonly PortalUser Nobody = new(null, false, []);

    public bool SignedIn => Subject is not null;
}

/// <summary>
/// The portal's sign-in: a mesh token (<c>mesh token --subject NAME</c>) kept in an HttpOnly, SameSite=Strict cookie
/// scoped to <c>/catalog</c> (Secure over https), and handed to the API's own JWT bearer scheme for portal routes only,
/// so the API itself never accepts a cookie. Every portal POST carries an antiforgery token as well.
/// </summary>
public static class PortalSession
{
    public const string CookieName = "mesh_portal_token";

    /// <summary>A JWT of a mesh token is well under this; anything longer is no token of ours.</summary>
    public const int MaxTokenLength = 8192;

    public static IServiceCollection AddPortalSession(this IServiceCollection services)
    {
        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "mesh_portal_antiforgery";
            options.Cookie.Path = CatalogLinks.Home;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options =>
        {
            var events = options.Events ?? new JwtBearerEvents();
            var prior = events.OnMessageReceived;
            events.OnMessageReceived = async context =>
            {
                await prior(context);
                var request = context.Request;
                if (context.Token is null && request.Headers.Authorization.Count == 0
                    && request.Path.StartsWithSegments(CatalogLinks.Home, StringComparison.Ordinal)
                    && request.Cookies.TryGetValue(CookieName, out var token) && token is { Length: > 0 and <= MaxTokenLength })
                {
                    context.Token = token;
                }
            };
            options.Events = events;
        });
        return services;
    }

    public static async Task<PortalUser> UserAsync(HttpContext http)
    {
        var user = http.User;
        if (user.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name })
        {
            return new PortalUser(name, MeshAccess.HasScope(user, MeshAccess.ReadScope) || MeshAccess.HasScope(user, MeshAccess.WriteScope), MeshAccess.OwnedDomains(user));
        }

        if (http.Request.Cookies.ContainsKey(CookieName))
        {
            // The scheme keeps its result for the request: this reads why the token failed, it does not validate again.
            var result = await http.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
            SignOut(http);
            return PortalUser.Nobody with
            {
                Rejected = result.Succeeded ? "The token names no subject (sub): sign in with a token from 'mesh token --subject NAME'." : InvalidTokenMiddleware.Describe(result.Failure),
            };
        }

        return PortalUser.Nobody;
    }

    public static void SignIn(HttpContext http, string token) =>
        http.Response.Cookies.Append(CookieName, token, Options(http));

    public static void SignOut(HttpContext http) => http.Response.Cookies.Delete(CookieName, Options(http));

    private static CookieOptions Options(HttpContext http) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = http.Request.IsHttps,
        Path = CatalogLinks.Home,
        IsEssential = true,
    };
}
