using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.Tokens;

namespace MeshInABox.ServiceDefaults.Http;

/// <summary>
/// A request that sends credentials which do not validate (expired, signed with
/// another key, unsigned, malformed) is a 401 with <c>WWW-Authenticate</c>, even
/// where anonymous callers are allowed: treating it as anonymous would hide
/// the caller's mistake behind a 403 or a narrower answer.
/// </summary>
public sealed class InvalidTokenMiddleware(RequestDelegate next, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Headers.Authorization.Count == 0
            || context.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult is { Succeeded: true })
        {
            await next(context);
            return;
        }

        // The handler keeps its result for the request: this reads why authentication failed, it does not validate again.
        var result = await context.AuthenticateAsync();
        await context.ChallengeAsync();
        await Problems.WriteAsync(problems, context, StatusCodes.Status401Unauthorized, "Invalid bearer token", Describe(result.Failure));
    }

    /// <summary>Why a bearer token did not validate, in words for the caller.</summary>
    public static string Describe(Exception? failure) => failure switch
    {
        SecurityTokenExpiredException => "The bearer token has expired; get a new one.",
        SecurityTokenNotYetValidException => "The bearer token is not valid yet.",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException =>
            "The bearer token's signature does not verify with this mesh's keys.",
        SecurityTokenInvalidAudienceException => "The bearer token is for another audience.",
        SecurityTokenInvalidIssuerException => "The bearer token is from another issuer.",
        null => "The Authorization header holds no bearer token; send 'Authorization: Bearer <token>' or none.",
        _ => "The bearer token is malformed or not valid.",
    };
}
