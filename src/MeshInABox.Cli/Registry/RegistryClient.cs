using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MeshInABox.Registry.Model;

namespace MeshInABox.Cli.Registry;

/// <summary>The registry's HTTP API as the CLI uses it; problems come back as their detail text.</summary>
public sealed class RegistryClient(HttpClient http) : IDisposable
{
    public static RegistryClient Create(Uri registry, string token)
    {
        var http = new HttpClient { BaseAddress = registry, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return new RegistryClient(http);
    }

    public async Task<DataProductResponse?> GetProductAsync(string id, CancellationToken ct)
    {
        using var response = await http.GetAsync(new Uri($"data-products/{Uri.EscapeDataString(id)}", UriKind.Relative), ct);
        return response.StatusCode == HttpStatusCode.NotFound ? null : await ReadAsync<DataProductResponse>(response, ct);
    }

    public async Task<(HttpStatusCode Status, string? Problem)> RegisterAsync(RegisterProductRequest product, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync(new Uri("data-products", UriKind.Relative), product, JsonSerializerOptions.Web, ct);
        return (response.StatusCode, response.IsSuccessStatusCode ? null : await ProblemAsync(response, ct));
    }

    public async Task<(HttpStatusCode Status, VersionResponse? Version, string? Problem)> PublishAsync(
        string productId, PublishVersionRequest version, string idempotencyKey, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"data-products/{Uri.EscapeDataString(productId)}/versions", UriKind.Relative))
        {
            Content = JsonContent.Create(version, options: JsonSerializerOptions.Web),
        };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        using var response = await http.SendAsync(request, ct);
        return response.IsSuccessStatusCode
            ? (response.StatusCode, await response.Content.ReadFromJsonAsync<VersionResponse>(JsonSerializerOptions.Web, ct), null)
            : (response.StatusCode, null, await ProblemAsync(response, ct));
    }

    public async Task<VersionResponse> GetVersionAsync(string productId, string version, CancellationToken ct)
    {
        using var response = await http.GetAsync(new Uri($"data-products/{Uri.EscapeDataString(productId)}/versions/{version}", UriKind.Relative), ct);
        return await ReadAsync<VersionResponse>(response, ct);
    }

    public void Dispose() => http.Dispose();

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{(int)response.StatusCode}: {await ProblemAsync(response, ct)}", null, response.StatusCode);
        }

        return (await response.Content.ReadFromJsonAsync<T>(JsonSerializerOptions.Web, ct))!;
    }

    private static async Task<string> ProblemAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            var detail = problem.TryGetProperty("detail", out var d) ? d.GetString() : problem.TryGetProperty("title", out var t) ? t.GetString() : null;
            if (problem.TryGetProperty("errors", out var errors))
            {
                detail += " " + string.Join("; ", errors.EnumerateObject().Select(e => $"{e.Name}: {string.Join(" ", e.Value.EnumerateArray().Select(m => m.GetString()))}"));
            }

            return detail?.Trim() ?? response.ReasonPhrase ?? "";
        }
        catch (JsonException)
        {
            return response.ReasonPhrase ?? response.StatusCode.ToString();
        }
    }
}
