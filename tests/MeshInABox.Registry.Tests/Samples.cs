using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace MeshInABox.Registry.Tests;

/// <summary>Request bodies for registry tests, each with its own product id so tests never share rows.</summary>
public static class Samples
{
    /// <summary>The mesh repository every test host is started with (Locations:RepositoryRoots); product files lie under it.</summary>
    public static string RepositoryRoot { get; } = ServiceDefaults.Locations.ProductFolders.RealPath(MeshInABox.Testing.TemporaryDirectory.Create("mesh-repo-"));

    public static string NewName() => "titles " + Guid.NewGuid().ToString("N")[..10];

    /// <summary>A file in the product's own folder of <see cref="RepositoryRoot"/>.</summary>
    public static string FileOf(string name, string relative = "data/titles.csv", string domain = "content") =>
        Path.Combine(RepositoryRoot, domain, IdOf(name, domain)[(domain.Length + 1)..], relative);

    /// <summary>A file in the folder of the product <paramref name="productId"/> (<c>&lt;root&gt;/&lt;domain&gt;/&lt;name&gt;/</c>).</summary>
    public static string FileIn(string productId, string relative = "data/titles.csv") =>
        Path.Combine(RepositoryRoot, productId[..productId.IndexOf('.')], productId[(productId.IndexOf('.') + 1)..], relative);

    public static object Product(string name, string domain = "content", string classification = "open") => new
    {
        name,
        domain,
        owner = "team-yellow",
        description = "Every title Messflix streams, with genre and release year.",
        businessUnit = "streaming",
        tags = new[] { "content", "catalogue" },
        classification,
        outputs = new[] { new { name = "titles", kind = "csv", location = FileOf(name, domain: domain) } },
    };

    public static string IdOf(string name, string domain = "content") => $"{domain}.{name.Replace(' ', '-')}";

    public const string ContractTemplate = """
        apiVersion: v3.1.0
        kind: DataContract
        id: titles
        version: {VERSION}
        status: active
        schema:
          - name: titles
            properties:
              - name: title_id
                logicalType: string
                required: true
              - name: genre
                logicalType: string
              - name: release_year
                logicalType: integer
        """;

    public static string Contract(string version, Func<string, string>? edit = null) =>
        (edit ?? (c => c))(ContractTemplate.Replace("{VERSION}", version, StringComparison.Ordinal));

    public static object Version(string version, string? contract = null) => new { version, contract = contract ?? Contract(version) };

    public static async Task<string> RegisterAsync(HttpClient writer, CancellationToken ct, string domain = "content", string classification = "open")
    {
        var name = NewName();
        using var response = await writer.PostAsJsonAsync("/data-products", Product(name, domain, classification), ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString()!;
    }

    public static async Task<HttpResponseMessage> PublishAsync(HttpClient writer, string productId, object body, string key, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/data-products/{productId}/versions") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return await writer.SendAsync(request, ct);
    }

    /// <summary>Publishes all at once; returns each answer's status and Location, responses disposed.</summary>
    public static async Task<IReadOnlyList<(HttpStatusCode Status, string? Location)>> PublishConcurrentlyAsync(
        HttpClient writer, string productId, IEnumerable<(object Body, string Key)> requests, CancellationToken ct) =>
        await Task.WhenAll(requests.Select(async r =>
        {
            using var response = await PublishAsync(writer, productId, r.Body, r.Key, ct);
            return (response.StatusCode, response.Headers.Location?.OriginalString);
        }));
}
