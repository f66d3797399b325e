using Dapper;
using MeshInABox.Domain.Products;
using MeshInABox.Registry.Infrastructure;
using MeshInABox.Registry.Portal;
using MeshInABox.Registry.Products;
using Npgsql;

namespace MeshInABox.Registry.ProductLineage;

/// <summary>
/// Lineage answers: the products around a product, one column's path, the products a change would break. The
/// product graph is small (a link per product and source), so it is read whole, indexed and kept until what it is read
/// from changes, and walked here, which also gives every count of what an answer leaves out; a column's path is walked
/// in SQL, hop by hop from the column.
/// </summary>
public sealed class ProductLineageService(ProductLineageStore store, NpgsqlDataSource dataSource) : ICatalogLineage
{
    /// <summary>The deepest walk an answer makes; links past it are counted as left out only up to it.</summary>
    public const int MaxDepth = 20;

    private Snapshot? _graph;

    public async Task<LineageGraph?> GraphAsync(string productId, LineageDirection direction, int depth, CancellationToken ct)
    {
        var graph = (await GraphSnapshotAsync(ct)).Index;
        var up = direction is LineageDirection.Both or LineageDirection.Upstream ? graph.Walk(productId, upstream: true) : [];
        var down = direction is LineageDirection.Both or LineageDirection.Downstream ? graph.Walk(productId, upstream: false) : [];

        var distances = new Dictionary<string, int>(StringComparer.Ordinal) { [productId] = 0 };
        foreach (var (node, distance) in up.Where(n => n.Value <= depth))
        {
            distances.TryAdd(node, -distance);
        }

        foreach (var (node, distance) in down.Where(n => n.Value <= depth))
        {
            distances.TryAdd(node, distance);
        }

        // One read labels every node, and tells whether the product is known at all.
        var summaries = await SummariesAsync(distances.Keys, ct);
        if (!summaries.ContainsKey(productId))
        {
            return null;
        }

        var shownLinks = distances.Keys
            .SelectMany(graph.LinksFrom)
            .Where(l => distances.ContainsKey(l.Downstream))
            .OrderBy(l => l.Upstream, StringComparer.Ordinal).ThenBy(l => l.Downstream, StringComparer.Ordinal)
            .ToList();

        var nodes = distances
            .OrderBy(n => n.Value).ThenBy(n => n.Key, StringComparer.Ordinal)
            .Select(n =>
            {
                var hiddenUp = graph.Upstreams(n.Key).Count(u => !distances.ContainsKey(u));
                var hiddenDown = graph.Downstreams(n.Key).Count(d => !distances.ContainsKey(d));
                return summaries.TryGetValue(n.Key, out var s)
                    ? new LineageNode(n.Key, s.Name, s.Domain, s.Owner, s.Status, n.Value, s.Outputs, hiddenUp, hiddenDown)
                    : new LineageNode(n.Key, n.Key, null, null, null, n.Value, [], hiddenUp, hiddenDown, External: graph.IsExternal(n.Key));
            })
            .ToList();

        return new LineageGraph(productId, direction, depth, nodes, shownLinks, up.Count(n => n.Value > depth), down.Count(n => n.Value > depth));
    }

    public async Task<ColumnLineage?> ColumnAsync(string productId, string output, string column, LineageDirection direction, int depth, CancellationToken ct)
    {
        if (!await store.HasColumnAsync(productId, output, column, ct))
        {
            return null;
        }

        // One hop more than asked, so what lies beyond is counted.
        var (up, down) = await store.ColumnEdgesAsync(productId, output, column, Math.Min(depth + 1, MaxDepth),
            direction is LineageDirection.Both or LineageDirection.Upstream, direction is LineageDirection.Both or LineageDirection.Downstream, ct);
        var start = new ColumnRef(productId, output, column);
        var distances = new Dictionary<ColumnRef, int> { [start] = 0 };
        var beyond = new HashSet<ColumnRef>();
        var links = new List<ColumnLineageLink>();
        foreach (var (edge, distance) in up.OrderBy(e => e.Distance))
        {
            var source = Source(edge);
            if (distance > depth)
            {
                if (!distances.ContainsKey(source))
                {
                    beyond.Add(source);
                }

                continue;
            }

            distances.TryAdd(source, -distance);
            links.Add(new ColumnLineageLink(source, Target(edge), edge.EdgeType, edge.Subtype));
        }

        foreach (var (edge, distance) in down.OrderBy(e => e.Distance))
        {
            var target = Target(edge);
            if (distance > depth)
            {
                if (!distances.ContainsKey(target))
                {
                    beyond.Add(target);
                }

                continue;
            }

            distances.TryAdd(target, distance);
            links.Add(new ColumnLineageLink(Source(edge), target, edge.EdgeType, edge.Subtype));
        }

        beyond.ExceptWith(distances.Keys);
        return new ColumnLineage(
            start, direction, depth,
            [.. distances.OrderBy(d => d.Value).ThenBy(d => d.Key.ProductId ?? d.Key.Output, StringComparer.Ordinal).ThenBy(d => d.Key.Column, StringComparer.Ordinal)
                .Select(d => new ColumnLineageNode(d.Key, d.Value))],
            [.. links.Distinct()],
            beyond.Count);
    }

    /// <summary>Every product built on this one, however far downstream, nearest first; null for an unknown product.</summary>
    public async Task<IReadOnlyList<ImpactedProduct>?> ImpactAsync(string productId, CancellationToken ct)
    {
        var down = (await GraphSnapshotAsync(ct)).Index.Walk(productId, upstream: false);
        var summaries = await SummariesAsync(down.Keys.Append(productId), ct);
        if (!summaries.ContainsKey(productId))
        {
            return null;
        }

        var reads = await store.ColumnsReadAsync(productId, ct);
        return [.. down
            .Where(d => summaries.ContainsKey(d.Key))
            .OrderBy(d => d.Value).ThenBy(d => d.Key, StringComparer.Ordinal)
            .Select(d =>
            {
                var s = summaries[d.Key];
                return new ImpactedProduct(d.Key, s.Name, s.Domain, s.Owner, s.Status, d.Value, [.. reads[d.Key]]);
            })];
    }

    /// <summary>
    /// The product graph, read whole and indexed once, then kept while the store's stamp of what it is read from stays
    /// the same: an answer costs one cheap query instead of reading every link. The stamp is read before the links, so
    /// a change between the two leaves a newer graph under an older stamp (rebuilt on the next answer), never the reverse.
    /// </summary>
    private async Task<Snapshot> GraphSnapshotAsync(CancellationToken ct)
    {
        var stamp = await store.GraphStampAsync(ct);
        if (Volatile.Read(ref _graph) is { } cached && cached.Stamp == stamp)
        {
            return cached;
        }

        var snapshot = new Snapshot(stamp, new LinkIndex(await store.LinksAsync(ct)));
        Volatile.Write(ref _graph, snapshot);
        return snapshot;
    }

    private sealed record Snapshot(ProductLineageStore.GraphStamp Stamp, LinkIndex Index);

    private static ColumnRef Source(ProductLineageStore.StoredColumnEdge edge) =>
        new(edge.SourceProduct, edge.SourceProduct is null ? edge.SourceTable : edge.SourceOutput!, edge.SourceColumn);

    private static ColumnRef Target(ProductLineageStore.StoredColumnEdge edge) => new(edge.ProductId, edge.Output, edge.ColumnName!);

    private sealed record Summary(string Name, string Domain, string Owner, ProductStatus Status, IReadOnlyList<string> Outputs);

    /// <summary>Name, owner, status and outputs of the products among <paramref name="ids"/>: nodes are labelled from it, and it tells products from external tables.</summary>
    private async Task<Dictionary<string, Summary>> SummariesAsync(IEnumerable<string> ids, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<(string Id, string Name, string Domain, string Owner, string Status, string Outputs)>(new CommandDefinition(
            "SELECT id, name, domain, owner, status, outputs::text FROM data_products WHERE id = ANY(@ids)", new { ids = ids.ToArray() }, cancellationToken: ct));
        return rows.ToDictionary(
            r => r.Id,
            r => new Summary(r.Name, r.Domain, r.Owner, StoreJson.Enum<ProductStatus>(r.Status), [.. StoreJson.List<RegisteredOutput>(r.Outputs).Select(o => o.Name)]),
            StringComparer.Ordinal);
    }

    /// <summary>The links by either end, and a breadth-first walk that gives each reachable node its shortest distance.</summary>
    private sealed class LinkIndex
    {
        private readonly ILookup<string, string> _upstreams;
        private readonly ILookup<string, string> _downstreams;
        private readonly HashSet<string> _external;
        private readonly ILookup<string, LineageLink> _linksFrom;

        public LinkIndex(IReadOnlyList<ProductLineageStore.StoredLink> links)
        {
            _upstreams = links.Select(l => (l.Downstream, l.Upstream)).Distinct().ToLookup(l => l.Downstream, l => l.Upstream, StringComparer.Ordinal);
            _downstreams = links.Select(l => (l.Upstream, l.Downstream)).Distinct().ToLookup(l => l.Upstream, l => l.Downstream, StringComparer.Ordinal);
            _external = new HashSet<string>(links.Where(l => l.External).Select(l => l.Upstream), StringComparer.Ordinal);
            _linksFrom = links
                .GroupBy(l => (l.Upstream, l.Downstream))
                .Select(g => new LineageLink(g.Key.Upstream, g.Key.Downstream, [.. g.Select(l => l.Origin).Distinct().Order(StringComparer.Ordinal)]))
                .ToLookup(l => l.Upstream, StringComparer.Ordinal);
        }

        /// <summary>The links from <paramref name="node"/>, one per downstream with every origin it has.</summary>
        public IEnumerable<LineageLink> LinksFrom(string node) => _linksFrom[node];

        public IEnumerable<string> Upstreams(string node) => _upstreams[node];

        public IEnumerable<string> Downstreams(string node) => _downstreams[node];

        public bool IsExternal(string node) => _external.Contains(node);

        public Dictionary<string, int> Walk(string from, bool upstream)
        {
            var distances = new Dictionary<string, int>(StringComparer.Ordinal);
            var queue = new Queue<(string Node, int Distance)>([(from, 0)]);
            var seen = new HashSet<string>(StringComparer.Ordinal) { from };
            while (queue.TryDequeue(out var next))
            {
                if (next.Distance >= MaxDepth)
                {
                    continue;
                }

                foreach (var neighbour in upstream ? _upstreams[next.Node] : _downstreams[next.Node])
                {
                    if (seen.Add(neighbour))
                    {
                        distances[neighbour] = next.Distance + 1;
                        queue.Enqueue((neighbour, next.Distance + 1));
                    }
                }
            }

            return distances;
        }
    }
}
