using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace MeshInABox.ServiceDefaults.Http;

/// <summary>
/// Refuses a JSON body with <c>\u0000</c> in any string or property name, with a
/// 400 problem naming where: PostgreSQL text cannot hold NUL, so such a value
/// would fail late (a 500) or be cut. Checks the raw body, so properties bound
/// as <see cref="JsonElement"/> are covered as well as typed ones.
/// </summary>
public sealed class JsonNulCheckMiddleware(RequestDelegate next, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!request.HasJsonContentType() || request.ContentLength == 0)
        {
            await next(context);
            return;
        }

        // The server cuts the body off at the service's limit (RequestSizeLimitMiddleware), so this stays bounded.
        var body = new MemoryStream();
        context.Response.RegisterForDispose(body);
        await request.Body.CopyToAsync(body, context.RequestAborted);
        body.Position = 0;
        request.Body = body;

        if (FindUnstorableText(body.GetBuffer().AsSpan(0, (int)body.Length)) is { } found)
        {
            await Problems.WriteAsync(problems, context, new HttpValidationProblemDetails(
                new Dictionary<string, string[]> { [found.Path] = [found.Rule] })
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "The request body holds text that cannot be stored.",
                Detail = $"The JSON value at {found.Path}: {found.Rule}",
            });
            return;
        }

        await next(context);
    }

    private const string NulRule = "Text may not contain the NUL character (\\u0000).";
    private const string SurrogateRule = "Text may not contain a lone UTF-16 surrogate escape (\\ud800-\\udfff without its pair).";

    /// <summary>
    /// Where the first string holding NUL or a lone surrogate is (<c>$.outputs[1].name</c>), and which; null when none.
    /// Invalid JSON is left to the binder, which names the line and position.
    /// </summary>
    internal static (string Path, string Rule)? FindUnstorableText(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 256 });
        var path = new List<Segment>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        if (!TryGetString(ref reader, out var name))
                        {
                            return (Format(path) + ".<property name>", SurrogateRule);
                        }

                        path[^1] = path[^1] with { Name = name };
                        if (reader.ValueIsEscaped && name.Contains('\0', StringComparison.Ordinal))
                        {
                            return (Format(path), NulRule);
                        }

                        continue;
                    case JsonTokenType.String when reader.ValueIsEscaped:
                        Advance(path);
                        if (!TryGetString(ref reader, out var text))
                        {
                            return (Format(path), SurrogateRule);
                        }

                        if (text.Contains('\0', StringComparison.Ordinal))
                        {
                            return (Format(path), NulRule);
                        }

                        continue;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        Advance(path);
                        path.Add(new Segment(reader.TokenType == JsonTokenType.StartArray, -1, null));
                        continue;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        path.RemoveAt(path.Count - 1);
                        continue;
                    default:
                        Advance(path);
                        continue;
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return null;
    }

    /// <summary>False for an escaped lone surrogate, which System.Text.Json refuses to turn into a string.</summary>
    private static bool TryGetString(ref Utf8JsonReader reader, out string value)
    {
        try
        {
            value = reader.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            value = "";
            return false;
        }
    }

    /// <summary>A value starts: in an array it is the next element.</summary>
    private static void Advance(List<Segment> path)
    {
        if (path.Count > 0 && path[^1].IsArray)
        {
            path[^1] = path[^1] with { Index = path[^1].Index + 1 };
        }
    }

    private static string Format(List<Segment> path)
    {
        var text = new StringBuilder("$");
        foreach (var segment in path)
        {
            if (segment.IsArray)
            {
                text.Append(CultureInfo.InvariantCulture, $"[{Math.Max(segment.Index, 0)}]");
            }
            else if (segment.Name is not null)
            {
                text.Append('.').Append(segment.Name.Replace("\0", "\\u0000", StringComparison.Ordinal));
            }
        }

        return text.ToString();
    }

    private readonly record struct Segment(bool IsArray, int Index, string? Name);
}
