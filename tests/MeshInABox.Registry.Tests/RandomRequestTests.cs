using System.Globalization;
using System.Net;
using System.Text;
using MeshInABox.Testing;

namespace MeshInABox.Registry.Tests;

/// <summary>
/// Seeded random and hostile requests (wrong types, huge strings, unicode, NULs, lone surrogates, deep nesting,
/// random path segments and query strings): every answer is 2xx or 4xx, and the service still answers /health.
/// </summary>
public sealed class RandomRequestTests(PostgresServerFixture server) : IAsyncLifetime
{
    private const int Requests = 300;

    private static readonly string[] Fields =
        ["name", "domain", "owner", "description", "id", "businessUnit", "tags", "classification", "outputs", "inputs",
         "version", "contract", "streamContract", "kind", "location", "path", "schema", "table", "topic", "sunsetAt", "message", "product", "output"];

    private RegistryHost _registry = null!;

    public async ValueTask InitializeAsync() => _registry = await RegistryHost.StartAsync(server, GetType());

    public ValueTask DisposeAsync() => _registry.DisposeAsync();

    [Fact]
    public async Task RandomAndHostileRequests_AreNever5xx_AndTheServiceStaysHealthy()
    {
        var ct = TestContext.Current.CancellationToken;
        using var writer = _registry.Writer("content");
        using var anonymous = _registry.Anonymous();
        var id = await Samples.RegisterAsync(writer, ct);
        var random = new Random(424242);
        var failures = new List<string>();

        for (var i = 0; i < Requests; i++)
        {
            var product = random.Next(3) == 0 ? Segment(random) : id;
            var (method, path, body) = random.Next(11) switch
            {
                0 => (HttpMethod.Post, "/data-products", Body(random)),
                1 => (HttpMethod.Get, "/data-products?" + Query(random), null),
                2 => (HttpMethod.Get, $"/data-products/{product}", null),
                3 => (HttpMethod.Post, $"/data-products/{product}/versions", Body(random)),
                4 => (HttpMethod.Get, $"/data-products/{product}/versions/{Segment(random)}", null),
                5 => (HttpMethod.Put, $"/data-products/{product}/endpoints/{(random.Next(2) == 0 ? "titles" : Segment(random))}", Body(random)),
                6 => (HttpMethod.Put, $"/data-products/{product}/grants/{Segment(random)}", null),
                7 => (random.Next(2) == 0 ? HttpMethod.Delete : HttpMethod.Get, $"/data-products/{product}/grants/{Segment(random)}", null),
                8 => (HttpMethod.Post, $"/data-products/{product}/deprecation", Body(random)),
                9 => (HttpMethod.Get, "/events?" + Query(random), null),
                _ => (HttpMethod.Post, $"/data-products/{product}/retirement", Body(random)),
            };
            using var request = new HttpRequestMessage(method, path);
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }

            request.Headers.TryAddWithoutValidation("Idempotency-Key", "k" + random.Next(1000).ToString(CultureInfo.InvariantCulture));
            using var response = await (random.Next(5) == 0 ? anonymous : writer).SendAsync(request, ct);
            if ((int)response.StatusCode >= 500)
            {
                failures.Add($"{method} {path} {Shorten(body)} -> {(int)response.StatusCode} {Shorten(await response.Content.ReadAsStringAsync(ct))}");
            }
        }

        using var health = await anonymous.GetAsync("/health", ct);

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    private static string Body(Random random) => random.Next(10) switch
    {
        0 => new string('[', random.Next(65, 5000)) + new string(']', random.Next(0, 10)),
        1 => "{\"name\": " + new string('{', 70),
        2 => RandomText(random, 50),
        _ => Value(random, depth: 0, budget: new[] { 60 }, top: true),
    };

    /// <summary>A JSON value, as text written by hand so it can hold what serializers refuse (lone surrogates).</summary>
    /// <param name="budget">Nodes left for this body (one element, shared down the recursion), so bodies stay small but varied.</param>
    private static string Value(Random random, int depth, int[] budget, bool top = false)
    {
        // Out of depth or budget: scalars only (1 to 5), so a body never grows past its budget.
        var choice = top ? 0 : depth > 6 || --budget[0] <= 0 ? random.Next(1, 6) : random.Next(8);
        switch (choice)
        {
            case 0:
            case 6:
                var members = Enumerable.Range(0, random.Next(1, 8))
                    .Select(_ => $"{Quote(random.Next(4) == 0 ? RandomText(random, 10) : Fields[random.Next(Fields.Length)])}: {Value(random, depth + 1, budget)}");
                return "{" + string.Join(", ", members) + "}";
            case 7:
                return "[" + string.Join(", ", Enumerable.Range(0, random.Next(0, 6)).Select(_ => Value(random, depth + 1, budget))) + "]";
            case 1:
                return random.Next(4) switch
                {
                    0 => "-1",
                    1 => "1e308",
                    2 => "99999999999999999999999",
                    _ => random.Next().ToString(CultureInfo.InvariantCulture),
                };
            case 2:
                return random.Next(3) switch { 0 => "true", 1 => "false", _ => "null" };
            default:
                return Quote(random.Next(8) switch
                {
                    0 when budget[0] > 0 => new string('x', random.Next(1_000, 200_000)),
                    1 => "1.0.0",
                    2 => "content",
                    3 => "/etc/passwd",
                    _ => RandomText(random, 40),
                });
        }
    }

    private static string RandomText(Random random, int max)
    {
        string[] pieces = ["a", "Z", "0", ".", "..", "/", "\\", "%", "_", "\u0000", "\uD800", "\uDC00", "é", "日本", "😀", "\n", "\"", "'", ";", "--", " ", "*", "&a", "[", "{"];
        return string.Concat(Enumerable.Range(0, random.Next(0, max)).Select(_ => pieces[random.Next(pieces.Length)]));
    }

    private static string Quote(string text)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in text)
        {
            quoted.Append(c is < ' ' or > '~' or '"' or '\\' ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return quoted.Append('"').ToString();
    }

    /// <summary>A path segment: printable text (a NUL is refused by the server before any route runs), percent-encoded.</summary>
    private static string Segment(Random random)
    {
        string[] segments = ["content.x", "..", ".", "%2e%2e", "a b", new string('s', 5000), "content.titles-1", "1.0.0", "2147483648.0.0", "é", "*", "content..x"];
        return random.Next(3) == 0
            ? segments[random.Next(segments.Length)].Replace(" ", "%20", StringComparison.Ordinal)
            : Uri.EscapeDataString(string.Concat(RandomText(random, 20).Where(c => c != '\0' && !char.IsSurrogate(c))));
    }

    private static string Query(Random random)
    {
        string[] names = ["q", "domain", "owner", "tag", "status", "page", "pageSize", "after", "limit", "x"];
        string[] values = ["_", "%25", "0", "-1", "2147483647", "2147483648", "99999999999999999999", "1e3", "abc", "", "active", new string('q', 10_000)];
        return string.Join("&", Enumerable.Range(0, random.Next(0, 5)).Select(_ =>
            $"{names[random.Next(names.Length)]}={Uri.EscapeDataString(random.Next(3) == 0 ? string.Concat(RandomText(random, 10).Where(c => !char.IsSurrogate(c))) : values[random.Next(values.Length)])}"));
    }

    private static string Shorten(string? text) => text is null ? "" : text.Length > 200 ? text[..200] + "..." : text;
}
