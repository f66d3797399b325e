using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace MeshInABox.ServiceDefaults.Http;

/// <summary>
/// Turns a body that does not bind (malformed JSON, a number where text is
/// expected...) into an RFC 9457 problem naming the field and position, not a bare 400.
/// </summary>
public sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        httpContext.Response.StatusCode = bad.StatusCode;
        ProblemDetails problem = bad.InnerException is JsonException json
            ? new HttpValidationProblemDetails(new Dictionary<string, string[]> { [Field(json.Path)] = [Describe(json)] })
            {
                Title = "The request body is not valid JSON for this operation.",
                Status = bad.StatusCode,
            }
            : new ProblemDetails
            {
                Title = bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request body too large" : "Bad request",
                Detail = bad.Message,
                Status = bad.StatusCode,
            };
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    private static string Field(string? path) => path is null or "$" ? "$" : path.TrimStart('$', '.');

    private static string Describe(JsonException error)
    {
        var message = error.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        var text = cut > 0 ? message[..cut] : message;
        return error.LineNumber is { } line
            ? $"{text} (line {line + 1}, position {(error.BytePositionInLine ?? 0) + 1})"
            : text;
    }
}
