using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace MeshInABox.ServiceDefaults.Http;

/// <summary>
/// Checks what Kestrel lets through before any endpoint reads it: the URL's
/// length (414), the headers' total size (431), and control characters in the
/// path or query string (400; PostgreSQL cannot store NUL, and no identifier holds one).
/// </summary>
public sealed class RequestTargetMiddleware(RequestDelegate next, IOptions<MeshApiOptions> options, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var limits = options.Value;
        var request = context.Request;
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw
            ? raw
            : request.PathBase + request.Path + request.QueryString;
        var targetBytes = Encoding.UTF8.GetByteCount(target);
        if (targetBytes > limits.MaxUrlBytes)
        {
            await Problems.WriteAsync(problems, context, StatusCodes.Status414UriTooLong, "URL too long",
                $"The request target has {targetBytes} bytes; this service accepts at most {limits.MaxUrlBytes}.");
            return;
        }

        var headerBytes = request.Headers.Sum(h => (long)h.Key.Length + h.Value.Sum(v => v?.Length ?? 0));
        if (headerBytes > limits.MaxHeaderBytes)
        {
            await Problems.WriteAsync(problems, context, StatusCodes.Status431RequestHeaderFieldsTooLarge, "Request headers too large",
                $"The request headers have {headerBytes} bytes; this service accepts at most {limits.MaxHeaderBytes}.");
            return;
        }

        if (FindControlCharacter(target) is { } found)
        {
            await Problems.WriteAsync(problems, context, StatusCodes.Status400BadRequest, "Control character in the URL",
                $"The {found.Part} holds the control character {Describe(found.Character)} at position {found.Position + 1}; " +
                "paths and query strings may not contain control characters.");
            return;
        }

        await next(context);
    }

    /// <summary>The first C0 control character or DEL, sent raw or percent-encoded, in the path or the query string.</summary>
    internal static (string Part, char Character, int Position)? FindControlCharacter(string target)
    {
        var query = target.IndexOf('?', StringComparison.Ordinal);
        var path = query < 0 ? target : target[..query];
        return Find(path, "path") ?? (query < 0 ? null : Find(target[(query + 1)..], "query string"));

        static (string, char, int)? Find(string part, string name)
        {
            var decoded = Uri.UnescapeDataString(part);
            for (var i = 0; i < decoded.Length; i++)
            {
                if (char.IsControl(decoded[i]) && decoded[i] <= '\u007f')
                {
                    return (name, decoded[i], i);
                }
            }

            return null;
        }
    }

    private static string Describe(char character) => "U+" + ((int)character).ToString("X4", CultureInfo.InvariantCulture);
}
