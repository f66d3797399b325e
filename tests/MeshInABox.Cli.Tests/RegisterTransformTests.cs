using System.Net;
using System.Text;
using MeshInABox.Cli.Registry;
using MeshInABox.Testing;

namespace MeshInABox.Cli.Tests;

/// <summary>
/// <c>mesh register</c> sends each output's transform SQL for the registry to derive lineage from; a transform it
/// must not send (too long, holding a NUL, outside the product's folder) refuses the product before any request
/// about it is made, with the file and line to fix.
/// </summary>
public sealed class RegisterTransformTests : IDisposable
{
    private const string Product = "content.popular-titles";
    private const string Manifest = "content/popular-titles/dataproduct.json";
    private const string Sql = "content/popular-titles/sql/popular_titles.sql";

    private readonly string _root = TemporaryDirectory.Create("mesh-register-transform-");
    private readonly string _mesh;
    private readonly RecordingRegistry _registry = new();

    public RegisterTransformTests()
    {
        _mesh = RepositoryLayout.CopySampleMesh(Path.Combine(_root, "mesh"));
    }

    public void Dispose()
    {
        _registry.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Register_SampleTransform_IsSentWithTheProduct()
    {
        var lines = await RegisterAsync();

        Assert.DoesNotContain(lines, l => l.Outcome == "transform refused");
        var registration = Assert.Single(_registry.Requests, r => r.Method == HttpMethod.Post && r.Path == "/data-products" && r.Body.Contains($"\"{Product}\"", StringComparison.Ordinal));
        Assert.Contains("rank() OVER (ORDER BY p.minutes_watched DESC", registration.Body);
    }

    [Fact]
    public async Task Register_TransformOverTheLimit_IsRefusedAtTheLineWhereTheLimitFalls_BeforeAnythingIsSent()
    {
        // 21 characters on the first two lines: character 100,001 is on line 3, column 100,000 - 21 + 1.
        await WriteSqlAsync("SELECT 1 AS one\n-- x\n-- " + new string('x', 100_000) + "\n");

        var refused = AssertRefused(await RegisterAsync());

        Assert.StartsWith($"{Sql}:3:99980: transform file of output 'popular_titles' is longer than 100,000 characters", refused);
    }

    [Fact]
    public async Task Register_TransformHoldingANul_IsRefusedAtTheNul_BeforeAnythingIsSent()
    {
        await WriteSqlAsync("SELECT t.title_id\nFROM content.catalogue.titles AS t\0 WHERE 1 = 1\n");

        var refused = AssertRefused(await RegisterAsync());

        Assert.StartsWith($"{Sql}:2:35: transform file of output 'popular_titles' holds a NUL character", refused);
    }

    [Fact]
    public async Task Register_TransformOutsideTheProductsFolder_IsRefusedAtTheManifestsOutput_BeforeAnythingIsSent()
    {
        var path = Path.Combine(_mesh, Manifest);
        var text = await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(path, text.Replace("\"sql/popular_titles.sql\"", "\"../../subscriptions/monthly-revenue/sql/monthly_revenue.sql\"", StringComparison.Ordinal),
            TestContext.Current.CancellationToken);

        var refused = AssertRefused(await RegisterAsync());

        Assert.Matches($"^{Manifest}:[0-9]+:[0-9]+: transform file '../../subscriptions/monthly-revenue/sql/monthly_revenue.sql' of output 'popular_titles' lies outside the product's folder", refused);
        var line = int.Parse(refused.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("\"name\": \"popular_titles\"", File.ReadAllLines(path)[(line - 1)..(line + 1)].Aggregate((a, b) => a + b));
    }

    [Fact]
    public async Task Register_TransformLinkingOutOfTheProductsFolder_IsRefused_BeforeAnythingIsSent()
    {
        var sql = Path.Combine(_mesh, Sql);
        File.Delete(sql);
        File.CreateSymbolicLink(sql, Path.Combine(_mesh, "subscriptions/monthly-revenue/sql/monthly_revenue.sql"));

        var refused = AssertRefused(await RegisterAsync());

        Assert.Matches($"^{Manifest}:[0-9]+:[0-9]+: transform file 'sql/popular_titles.sql' of output 'popular_titles' lies outside the product's folder", refused);
    }

    private string AssertRefused(IReadOnlyList<RepoRegistration.Line> lines)
    {
        var line = Assert.Single(lines, l => l.Product == Product);
        Assert.Equal("transform refused", line.Outcome);
        Assert.True(line.Failed);
        Assert.DoesNotContain(_registry.Requests, r => r.Path.Contains(Product, StringComparison.Ordinal) || r.Body.Contains($"\"{Product}\"", StringComparison.Ordinal));
        // The other products are still registered.
        Assert.Contains(_registry.Requests, r => r.Method == HttpMethod.Post && r.Path == "/data-products" && r.Body.Contains("\"content.catalogue\"", StringComparison.Ordinal));
        return Assert.Single(line.Details);
    }

    private Task WriteSqlAsync(string text) => File.WriteAllTextAsync(Path.Combine(_mesh, Sql), text, TestContext.Current.CancellationToken);

    private async Task<IReadOnlyList<RepoRegistration.Line>> RegisterAsync()
    {
        using var client = new RegistryClient(new HttpClient(_registry, disposeHandler: false) { BaseAddress = new Uri("http://registry.test/") });
        return await new RepoRegistration(client).RunAsync(_mesh, wait: false, TestContext.Current.CancellationToken);
    }

    /// <summary>A registry that knows no product, accepts every registration and refuses every version; it records what it was sent.</summary>
    private sealed class RecordingRegistry : HttpMessageHandler
    {
        public List<(HttpMethod Method, string Path, string Body)> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            var path = Uri.UnescapeDataString(request.RequestUri!.AbsolutePath);
            lock (Requests)
            {
                Requests.Add((request.Method, path, body));
            }

            return request.Method == HttpMethod.Get ? new HttpResponseMessage(HttpStatusCode.NotFound)
                : path == "/data-products" ? new HttpResponseMessage(HttpStatusCode.Created)
                : new HttpResponseMessage(HttpStatusCode.Conflict) { Content = new StringContent("{\"detail\":\"not in this test\"}", Encoding.UTF8, "application/problem+json") };
        }
    }
}
