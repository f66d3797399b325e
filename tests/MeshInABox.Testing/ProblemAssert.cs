using System.Net;
using System.Text.Json;
using Xunit;

namespace MeshInABox.Testing;

/// <summary>Every service answers errors as RFC 9457 problems: one check of status, media type and body for all tests.</summary>
public static class ProblemAssert
{
    public const string MediaType = "application/problem+json";

    /// <returns>The problem body, for further checks.</returns>
    public static async Task<JsonElement> IsProblemAsync(HttpResponseMessage response, HttpStatusCode status, CancellationToken ct)
    {
        var body = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode} {body}");
        Assert.Equal(MediaType, response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }
}
