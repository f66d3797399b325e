using MeshInABox.Registry.Portal;
using MeshInABox.Registry.ProductLineage;
using static MeshInABox.Registry.Portal.GraphLayout;

namespace MeshInABox.Registry.Tests;

/// <summary>The server-side lineage layout on synthetic graphs: boxes never overlap, the picture never depends on input order, every link is drawn.</summary>
public sealed class GraphLayoutTests
{
    [Fact]
    public void Arrange_PutsLayersLeftToRightByDistance_AndNoBoxesOverlap()
    {
        var (nodes, links) = Random(seed: 7, layers: 5, perLayer: 6, links: 40);

        var picture = Arrange(nodes, links);

        Assert.Equal(nodes.Count, picture.Boxes.Count);
        foreach (var a in picture.Boxes)
        {
            foreach (var b in picture.Boxes.Where(b => b != a))
            {
                var apart = a.Right <= b.X || b.Right <= a.X || a.Bottom <= b.Y || b.Bottom <= a.Y;
                Assert.True(apart, $"{a.Id} overlaps {b.Id}");
            }

            Assert.True(a.X >= 0 && a.Y >= 0 && a.Right <= picture.Width && a.Bottom <= picture.Height);
        }

        var byLayer = picture.Boxes.GroupBy(b => b.Layer).OrderBy(g => g.Key).Select(g => g.Select(b => b.X).Distinct().Single()).ToList();
        Assert.Equal(byLayer.Order(), byLayer);
    }

    [Fact]
    public void Arrange_IsDeterministic_WhateverTheInputOrder()
    {
        var (nodes, links) = Random(seed: 11, layers: 4, perLayer: 5, links: 25);

        var first = Arrange(nodes, links);
        var shuffled = Arrange([.. nodes.OrderBy(n => n.Id.GetHashCode(StringComparison.Ordinal)).Reverse()], [.. links.AsEnumerable().Reverse()]);

        Assert.Equal(first.Boxes.OrderBy(b => b.Id), shuffled.Boxes.OrderBy(b => b.Id));
        Assert.Equal(first.Edges.OrderBy(e => e.From).ThenBy(e => e.To), shuffled.Edges.OrderBy(e => e.From).ThenBy(e => e.To));
    }

    [Fact]
    public void Arrange_DrawsEveryLinkBetweenShownNodes_FromTheRightOfOneBoxToTheLeftOfTheOther()
    {
        var (nodes, links) = Random(seed: 3, layers: 3, perLayer: 4, links: 12);
        var withStray = links.Append(new Link("n0-0", "not-shown")).ToList();

        var picture = Arrange(nodes, withStray);

        Assert.Equal(links.Distinct().Count(l => l.From != l.To), picture.Edges.Count);
        foreach (var edge in picture.Edges)
        {
            var from = picture[edge.From];
            var to = picture[edge.To];
            Assert.StartsWith(FormattableString.Invariant($"M {from.Right:0.#} {from.MiddleY:0.#} C"), edge.Path);
            Assert.EndsWith(FormattableString.Invariant($"{to.X:0.#} {to.MiddleY:0.#}"), edge.Path);
        }
    }

    [Fact]
    public void Arrange_OrdersByBarycentre_UntanglingACrossedPair()
    {
        // a1 feeds b2 and a2 feeds b1: alphabetical order crosses, the barycentre order does not.
        Node[] nodes = [new("a1", -1), new("a2", -1), new("b1", 0), new("b2", 0)];
        Link[] links = [new("a1", "b2"), new("a2", "b1")];

        var picture = Arrange(nodes, links);

        Assert.Equal(0, Crossings(picture));
    }

    [Fact]
    public void Arrange_CrossesNoMoreThanTheNaiveOrder_OnRandomGraphs()
    {
        for (var seed = 0; seed < 20; seed++)
        {
            var (nodes, links) = Random(seed, layers: 4, perLayer: 6, links: 18);
            var picture = Arrange(nodes, links);
            var naive = Naive(nodes, links);

            Assert.True(Crossings(picture) <= naive, $"seed {seed}: {Crossings(picture)} crossings against {naive} in id order");
        }
    }

    [Fact]
    public void Arrange_OfNothing_IsAnEmptyPicture()
    {
        var picture = Arrange([], []);

        Assert.Empty(picture.Boxes);
        Assert.Empty(picture.Edges);
    }

    [Fact]
    public void ImpactCsv_QuotesAndDefusesFormulas()
    {
        ImpactedProduct[] impacted =
        [
            new("content.b", "=HYPERLINK(\"x\")", "content", "team, blue", Domain.Products.ProductStatus.Active, 2, []),
            new("content.a", "Titles", "content", "team-yellow", Domain.Products.ProductStatus.Deprecated, 1, ["title_id", "genre"]),
        ];

        var lines = ImpactCsv.Write(impacted).Split("\r\n");

        Assert.Equal(ImpactCsv.Header, lines[0]);
        Assert.Equal("content.a,Titles,content,team-yellow,deprecated,1,title_id genre", lines[1]);
        Assert.Equal("content.b,\"'=HYPERLINK(\"\"x\"\")\",content,\"team, blue\",active,2,", lines[2]);
    }

    private static int Naive(IReadOnlyList<Node> nodes, IReadOnlyList<Link> links)
    {
        var row = nodes.GroupBy(n => n.Layer).SelectMany(g => g.OrderBy(n => n.Id, StringComparer.Ordinal).Select((n, i) => (n.Id, i))).ToDictionary(p => p.Id, p => p.i);
        var layer = nodes.ToDictionary(n => n.Id, n => n.Layer);
        var adjacent = links.Distinct().Where(l => layer[l.To] == layer[l.From] + 1).ToList();
        var count = 0;
        for (var i = 0; i < adjacent.Count; i++)
        {
            for (var j = i + 1; j < adjacent.Count; j++)
            {
                var (a, b) = (adjacent[i], adjacent[j]);
                if (layer[a.From] == layer[b.From] && Math.Sign(row[a.From] - row[b.From]) * Math.Sign(row[a.To] - row[b.To]) < 0)
                {
                    count++;
                }
            }
        }

        return count;
    }

    private static (IReadOnlyList<Node> Nodes, IReadOnlyList<Link> Links) Random(int seed, int layers, int perLayer, int links)
    {
        var random = new Random(seed);
        var nodes = Enumerable.Range(0, layers).SelectMany(l => Enumerable.Range(0, perLayer).Select(i => new Node($"n{l}-{i}", l - (layers / 2)))).ToList();
        var edges = Enumerable.Range(0, links).Select(_ =>
        {
            var layer = random.Next(layers - 1);
            return new Link($"n{layer}-{random.Next(perLayer)}", $"n{layer + 1}-{random.Next(perLayer)}");
        }).ToList();
        return (nodes, edges);
    }
}
