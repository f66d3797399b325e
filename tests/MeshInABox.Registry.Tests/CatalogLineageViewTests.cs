using System.Net;
using MeshInABox.Domain.Products;
using MeshInABox.Registry.Portal;
using MeshInABox.Registry.ProductLineage;
using MeshInABox.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MeshInABox.Registry.Tests;

/// <summary>The portal's lineage fragments over a lineage double: what is drawn, linked, counted and expanded.</summary>
public sealed class CatalogLineageViewTests(PostgresServerFixture server) : IAsyncLifetime
{
    private RegistryHost _registry = null!;

    public async ValueTask InitializeAsync() =>
        _registry = await RegistryHost.StartAsync(server, GetType(), services: s => s.Replace(ServiceDescriptor.Singleton<ICatalogLineage>(new FakeLineage())));

    public ValueTask DisposeAsync() => _registry.DisposeAsync();

    [Fact]
    public async Task Graph_DrawsEveryNodeAndLink_LinksProducts_NotExternalSources_AndCountsWhatIsHidden()
    {
        var html = await _registry.Anonymous().GetStringAsync("/catalog/products/content.center/graph?depth=1", TestContext.Current.CancellationToken);

        Assert.Contains("<svg class=\"graph\"", html);
        Assert.Contains("class=\"node focus\" data-product=\"content.center\"", html);
        Assert.Contains("href=\"/catalog/products/content.up\"", html);
        Assert.Contains("href=\"/catalog/products/content.down\"", html);
        Assert.Contains("class=\"node external\" data-product=\"file:raw.csv\"", html);
        Assert.DoesNotContain("href=\"/catalog/products/file%3Araw.csv\"", html);
        Assert.Equal(3, Count(html, "<path class=\"edge\""));
        Assert.Contains("+2 hidden", html.Replace("&#x2B;", "+", StringComparison.Ordinal));
        Assert.Contains("hx-get=\"/catalog/products/content.center/graph?depth=1&amp;expand=content.up\"", html);
        Assert.Contains("&lt;b&gt;Down&lt;/b&gt;", html);
        Assert.DoesNotContain("<b>Down</b>", html);
    }

    [Fact]
    public async Task Graph_ExpandedAroundANode_AddsItsNeighbours_AtTheirDistanceFromThePagesProduct()
    {
        var html = await _registry.Anonymous().GetStringAsync("/catalog/products/content.center/graph?depth=1&expand=content.up", TestContext.Current.CancellationToken);

        Assert.Contains("data-product=\"content.upup\"", html);
        Assert.Equal(4, Count(html, "<path class=\"edge\""));
        Assert.DoesNotContain("+2 hidden", html.Replace("&#x2B;", "+", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ColumnPath_DrawsOnlyThatColumnsPath()
    {
        var html = await _registry.Anonymous().GetStringAsync("/catalog/products/content.center/column-path?output=out&column=c", TestContext.Current.CancellationToken);

        Assert.Contains("<svg class=\"graph columns\"", html);
        Assert.Contains("data-column=\"out.c\"", html);
        Assert.Contains("data-column=\"up.a\"", html);
        Assert.Contains("data-column=\"raw.csv.x\"", html);
        Assert.Contains("<path class=\"edge indirect\"", html);
        Assert.DoesNotContain("data-product", html);
    }

    [Fact]
    public async Task ImpactCsv_IsADownload_AndUnknownProductsAre404()
    {
        var ct = TestContext.Current.CancellationToken;
        using var csv = await _registry.Anonymous().GetAsync("/catalog/products/content.center/impact.csv", ct);
        using var unknownGraph = await _registry.Anonymous().GetAsync("/catalog/products/content.nobody/graph", ct);
        using var unknownCsv = await _registry.Anonymous().GetAsync("/catalog/products/content.nobody/impact.csv", ct);

        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Equal("content.center-impact.csv", csv.Content.Headers.ContentDisposition?.FileName);
        Assert.Contains("content.down,<b>Down</b>,content,team-blue,active,1,c", await csv.Content.ReadAsStringAsync(ct));
        Assert.Equal(HttpStatusCode.NotFound, unknownGraph.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownCsv.StatusCode);
    }

    private static int Count(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    private sealed class FakeLineage : ICatalogLineage
    {
        private static LineageNode Node(string id, int distance, int hiddenUp = 0, bool external = false, string? name = null) =>
            new(id, name ?? id, external ? null : "content", external ? null : "team-blue", external ? null : ProductStatus.Active, distance, ["out"], hiddenUp, 0, external);

        public Task<LineageGraph?> GraphAsync(string productId, LineageDirection direction, int depth, CancellationToken ct) => Task.FromResult(productId switch
        {
            "content.center" => new LineageGraph(productId, direction, depth,
                [Node("content.center", 0), Node("content.up", -1, hiddenUp: 2), Node("file:raw.csv", -1, external: true, name: "raw.csv"), Node("content.down", 1, name: "<b>Down</b>")],
                [new("content.up", "content.center", ["sql"]), new("file:raw.csv", "content.center", ["sql"]), new("content.center", "content.down", ["declared"])],
                0, 0),
            "content.up" => new LineageGraph(productId, direction, depth,
                [Node("content.up", 0), Node("content.upup", -1), Node("content.center", 1)],
                [new("content.upup", "content.up", ["sql"]), new("content.up", "content.center", ["sql"])],
                0, 0),
            _ => (LineageGraph?)null,
        });

        public Task<ColumnLineage?> ColumnAsync(string productId, string output, string column, LineageDirection direction, int depth, CancellationToken ct)
        {
            if (productId != "content.center")
            {
                return Task.FromResult<ColumnLineage?>(null);
            }

            var target = new ColumnRef(productId, output, column);
            var fromUp = new ColumnRef("content.up", "up", "a");
            var fromFile = new ColumnRef(null, "raw.csv", "x");
            return Task.FromResult<ColumnLineage?>(new ColumnLineage(target, direction, depth,
                [new(target, 0), new(fromUp, -1), new(fromFile, -1)],
                [new(fromUp, target, "DIRECT", "IDENTITY"), new(fromFile, target, "INDIRECT", "FILTER")],
                0));
        }

        public Task<IReadOnlyList<ImpactedProduct>?> ImpactAsync(string productId, CancellationToken ct) =>
            Task.FromResult(productId == "content.center"
                ? (IReadOnlyList<ImpactedProduct>?)[new ImpactedProduct("content.down", "<b>Down</b>", "content", "team-blue", ProductStatus.Active, 1, ["c"])]
                : null);
    }
}
