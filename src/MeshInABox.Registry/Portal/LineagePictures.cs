using MeshInABox.Registry.ProductLineage;

namespace MeshInABox.Registry.Portal;

/// <summary>A product's lineage as drawn: the product <see cref="Depth"/> hops up and down, plus one hop around each expanded node.</summary>
public sealed record ProductGraphPicture(
    string ProductId,
    int Depth,
    IReadOnlyList<string> Expanded,
    IReadOnlyDictionary<string, LineageNode> Nodes,
    IReadOnlyList<LineageLink> Links,
    GraphLayout.Picture Layout,
    int LeftOutUpstream,
    int LeftOutDownstream)
{
    public int Hidden => Nodes.Values.Sum(n => n.HiddenUpstream + n.HiddenDownstream);
}

/// <summary>One column's path only, as drawn.</summary>
public sealed record ColumnPathPicture(string ProductId, ColumnLineage Lineage, IReadOnlyDictionary<string, ColumnLineageNode> Nodes, GraphLayout.Picture Layout)
{
    public static string KeyOf(ColumnRef column) => $"{column.ProductId ?? ""}\u001f{column.Output}\u001f{column.Column}";
}

/// <summary>Asks lineage for what to draw and lays it out; null when lineage does not know the product.</summary>
public sealed class LineagePictures(ICatalogLineage lineage)
{
    public const int MaxDepth = 5;
    public const int MaxExpanded = 20;
    public const int ColumnDepth = MaxDepth;

    public async Task<ProductGraphPicture?> ProductAsync(string productId, int depth, IReadOnlyList<string> expanded, CancellationToken ct)
    {
        depth = Math.Clamp(depth, 1, MaxDepth);
        var graph = await lineage.GraphAsync(productId, LineageDirection.Both, depth, ct);
        if (graph is null)
        {
            return null;
        }

        var nodes = graph.Nodes.ToDictionary(n => n.ProductId, StringComparer.Ordinal);
        var links = graph.Links.ToList();
        var shown = new List<string>();
        foreach (var id in expanded.Distinct(StringComparer.Ordinal).Take(MaxExpanded))
        {
            if (!nodes.TryGetValue(id, out var around) || around.External
                || await lineage.GraphAsync(id, LineageDirection.Both, 1, ct) is not { } more)
            {
                continue;
            }

            shown.Add(id);
            foreach (var node in more.Nodes)
            {
                // Distances stay relative to the page's product; each answer knows only part of a node's neighbours, so the smaller hidden count holds.
                nodes[node.ProductId] = nodes.TryGetValue(node.ProductId, out var known)
                    ? known with { HiddenUpstream = Math.Min(known.HiddenUpstream, node.HiddenUpstream), HiddenDownstream = Math.Min(known.HiddenDownstream, node.HiddenDownstream) }
                    : node with { Distance = around.Distance + node.Distance };
            }

            links.AddRange(more.Links);
        }

        var distinctLinks = links.DistinctBy(l => (l.Upstream, l.Downstream)).ToList();
        var layout = GraphLayout.Arrange(
            [.. nodes.Values.Select(n => new GraphLayout.Node(n.ProductId, n.Distance))],
            [.. distinctLinks.Select(l => new GraphLayout.Link(l.Upstream, l.Downstream))]);
        return new ProductGraphPicture(productId, depth, shown, nodes, distinctLinks, layout, graph.LeftOutUpstream, graph.LeftOutDownstream);
    }

    public async Task<ColumnPathPicture?> ColumnAsync(string productId, string output, string column, CancellationToken ct)
    {
        var path = await lineage.ColumnAsync(productId, output, column, LineageDirection.Both, ColumnDepth, ct);
        if (path is null)
        {
            return null;
        }

        var nodes = new Dictionary<string, ColumnLineageNode>(StringComparer.Ordinal);
        foreach (var node in path.Nodes)
        {
            nodes.TryAdd(ColumnPathPicture.KeyOf(node.Column), node);
        }

        nodes.TryAdd(ColumnPathPicture.KeyOf(path.Column), new ColumnLineageNode(path.Column, 0));
        var layout = GraphLayout.Arrange(
            [.. nodes.Select(n => new GraphLayout.Node(n.Key, n.Value.Distance))],
            [.. path.Links.Select(l => new GraphLayout.Link(ColumnPathPicture.KeyOf(l.Source), ColumnPathPicture.KeyOf(l.Target)))]);
        return new ColumnPathPicture(productId, path, nodes, layout);
    }
}
