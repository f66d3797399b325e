using System.Net.Http.Headers;
using System.Text.Json;
using MeshInABox.Domain.Access;
using MeshInABox.Domain.Profiles;
using MeshInABox.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace MeshInABox.Registry.Portal;

/// <summary>
/// A product's consumers, as the lakehouse records them (<c>GET /usage/products/{id}</c>), asked with a short-lived token
/// the registry signs with the mesh's local key. Without a lakehouse (before iteration-2) or a key there is nothing to ask.
/// </summary>
public sealed class LakehouseUsage(IHttpClientFactory clients, IConfiguration configuration, IOptions<RegistryOptions> options, TimeProvider time)
{
    public const string ClientName = "catalog-lakehouse";

    public sealed record Consumer(string Subject, long Queries, DateTimeOffset LastReadAt, IReadOnlyList<string> Outputs);

    /// <param name="Note">Why there are no figures (no lakehouse, or it did not answer); null when <see cref="Consumers"/> holds them.</param>
    public sealed record Answer(IReadOnlyList<Consumer> Consumers, long Queries, string? Note);

    public Uri? Lakehouse => configuration[$"services:{MeshTopology.Lakehouse.Name}:http:0"] is { Length: > 0 } url && Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri : null;

    public async Task<Answer> ConsumersAsync(string productId, CancellationToken ct)
    {
        var keyFile = options.Value.Auth.SigningKeyFile;
        if (Lakehouse is not { } lakehouse || string.IsNullOrWhiteSpace(keyFile))
        {
            return new Answer([], 0, "Usage is recorded by the lakehouse (iteration-2).");
        }

        try
        {
            // Every domain's reads: the catalog shows who uses a product to everyone who may read the catalog.
            var token = LocalTokens.Issue(keyFile, "registry-catalog", ["*"], [MeshAccess.ReadScope, MeshAccess.WriteScope], TimeSpan.FromMinutes(5), time);
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(lakehouse, $"usage/products/{Uri.EscapeDataString(productId)}"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await clients.CreateClient(ClientName).SendAsync(request, ct);
            if (!response.IsSuccessStatusCode)
            {
                return new Answer([], 0, $"The lakehouse did not give usage (HTTP {(int)response.StatusCode}).");
            }

            using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
            var root = body.RootElement;
            var consumers = root.GetProperty("consumers").EnumerateArray().Select(c => new Consumer(
                c.GetProperty("subject").GetString() ?? "",
                c.GetProperty("queries").GetInt64(),
                c.GetProperty("lastReadAt").GetDateTimeOffset(),
                [.. c.GetProperty("outputs").EnumerateArray().Select(o => o.GetString() ?? "")])).ToList();
            return new Answer(consumers, root.GetProperty("queries").GetInt64(), null);
        }
        catch (Exception error) when (error is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException && !ct.IsCancellationRequested)
        {
            return new Answer([], 0, "The lakehouse did not answer; usage is unknown for now.");
        }
    }
}
