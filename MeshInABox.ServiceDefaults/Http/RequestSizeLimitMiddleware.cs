using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace MeshInABox.ServiceDefaults.Http;

/// <summary>
/// Refuses bodies over <see cref="MeshApiOptions.MaxRequestBytes"/> with a 413
/// problem before anything is read; chunked bodies are cut off by the server at the same limit.
/// </summary>
public sealed class RequestSizeLimitMiddleware(RequestDelegate next, IOptions<MeshApiOptions> options, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var limit = options.Value.MaxRequestBytes;
        if (context.Request.ContentLength > limit)
        {
            await Problems.WriteAsync(problems, context, StatusCodes.Status413PayloadTooLarge, "Request body too large",
                $"The body has {context.Request.ContentLength} bytes; this service accepts at most {limit}.");
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }

        await next(context);
    }
}
