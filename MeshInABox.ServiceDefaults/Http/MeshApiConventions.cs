using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MeshInABox.ServiceDefaults.Http;

/// <summary>
/// How every mesh service answers at its edge, in one place: every error an
/// RFC 9457 problem (the framework's own 404, 405, 415, 400, 401 and 403
/// included), the same request limits, and the same handling of bad tokens.
/// </summary>
public static class MeshApiConventions
{
    /// <param name="maxRequestBytes">The service's body limit, read from its own options.</param>
    public static IHostApplicationBuilder AddMeshApiConventions<TServiceOptions>(
        this IHostApplicationBuilder builder, Func<TServiceOptions, long> maxRequestBytes)
        where TServiceOptions : class
    {
        builder.Services.AddProblemDetails();
        // Policies are added by the services that need them (CallerConcurrency); the middleware is always in the pipeline.
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        // Binding failures throw, so BadRequestExceptionHandler can say which field and where.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.AddOptions<MeshApiOptions>()
            .Configure<IOptions<TServiceOptions>>((api, service) => api.MaxRequestBytes = maxRequestBytes(service.Value));

        // Kestrel answers requests over its own limits with empty 414 and 431 responses before the pipeline runs:
        // let it accept more, and enforce the documented limits in RequestTargetMiddleware, with a problem body.
        builder.Services.Configure<KestrelServerOptions>(kestrel =>
        {
            kestrel.Limits.MaxRequestLineSize = MeshApiOptions.ServerRequestLineBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = MeshApiOptions.ServerHeaderBytes;
        });
        return builder;
    }

    /// <summary>
    /// The pipeline's front, before any endpoint: problem details for exceptions
    /// and bodiless error statuses, request limits, authentication (a token that
    /// does not validate is a 401 everywhere), authorization, then the JSON body check.
    /// </summary>
    public static WebApplication UseMeshApiConventions(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<RequestTargetMiddleware>();
        app.UseMiddleware<RequestSizeLimitMiddleware>();
        app.UseAuthentication();
        app.UseMiddleware<InvalidTokenMiddleware>();
        app.UseAuthorization();
        // After authentication: callers are counted by their token's subject.
        app.UseRateLimiter();
        app.UseMiddleware<JsonNulCheckMiddleware>();
        return app;
    }
}
