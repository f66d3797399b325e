using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace MeshInABox.Registry.Infrastructure;

/// <summary>
/// Refuses bodies over <see cref="RegistryOptions.MaxRequestBytes"/> with a 413
/// problem before anything is read; chunked bodies are cut off by the server at the same limit.
/// </summary>
public sealed class RequestSizeLimitMiddleware(RequestDelegate next, IOptions<RegistryOptions> options, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var limit = options.Value.MaxRequestBytes;
        if (context.Request.ContentLength > limit)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Title = "Request body too large",
                    Detail = $"The body has {context.Request.ContentLength} bytes; the registry accepts at most {limit}.",
                    Status = StatusCodes.Status413PayloadTooLarge,
                },
            });
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }

        await next(context);
    }
}
