using System.Globalization;

namespace MeshInABox.Registry.Portal;

/// <summary>
/// Lays a lineage graph out left to right on the server: one column per layer (a node's distance from the product
/// asked about), nodes ordered within each column by the barycentre of their neighbours to reduce crossings, sweeping
/// forwards and backwards a few times. Ties break by the previous order, then by id, so the same graph always gets the same picture.
/// </summary>
public static class GraphLayout
{
    public const double NodeWidth = 210;
    public const double NodeHeight = 58;
    public const double LayerGap = 80;
    public const double RowGap = 22;
    public const double Margin = 28;

    private const int Sweeps = 4;

    public sealed record Node(string Id, int Layer);

    public sealed record Link(string From, string To);

    public sealed record Box(string Id, int Layer, int Row, double X, double Y)
    {
        public double Right => X + NodeWidth;

        public double Bottom => Y + NodeHeight;

        public double MiddleY => Y + (NodeHeight / 2);
    }

    /// <param name="Path">SVG path data from the right edge of <see cref="Link.From"/> to the left edge of <see cref="Link.To"/>.</param>
    public sealed record Edge(string From, string To, string Path);

    public sealed record Picture(IReadOnlyList<Box> Boxes, IReadOnlyList<Edge> Edges, double Width, double Height)
    {
        public Box this[string id] => Boxes.First(b => b.Id == id);
    }

    /// <summary>Links to or from an id that is not a node are left out; a node listed twice keeps its first layer.</summary>
    public static Picture Arrange(IReadOnlyList<Node> nodes, IReadOnlyList<Link> links)
    {
        var unique = nodes.GroupBy(n => n.Id, StringComparer.Ordinal).Select(g => g.First()).ToList();
        if (unique.Count == 0)
        {
            return new Picture([], [], 2 * Margin, 2 * Margin);
        }

        var layerOf = unique.ToDictionary(n => n.Id, n => n.Layer, StringComparer.Ordinal);
        var drawn = links
            .Where(l => layerOf.ContainsKey(l.From) && layerOf.ContainsKey(l.To) && l.From != l.To)
            .Distinct()
            .OrderBy(l => l.From, StringComparer.Ordinal).ThenBy(l => l.To, StringComparer.Ordinal)
            .ToList();
        var layers = unique.Select(n => n.Layer).Distinct().Order().ToList();
        var order = layers.ToDictionary(
            layer => layer,
            layer => unique.Where(n => n.Layer == layer).Select(n => n.Id).Order(StringComparer.Ordinal).ToList());

        var neighbours = unique.ToDictionary(n => n.Id, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var link in drawn)
        {
            neighbours[link.From].Add(link.To);
            neighbours[link.To].Add(link.From);
        }

        for (var sweep = 0; sweep < Sweeps; sweep++)
        {
            var forwards = sweep % 2 == 0;
            var sequence = forwards ? layers.Skip(1) : Enumerable.Reverse(layers).Skip(1);
            foreach (var layer in sequence)
            {
                var fixedLayer = layers[layers.IndexOf(layer) + (forwards ? -1 : 1)];
                order[layer] = Reorder(order[layer], order[fixedLayer], neighbours);
            }
        }

        var tallest = order.Values.Max(ids => ids.Count);
        var height = (2 * Margin) + (tallest * NodeHeight) + ((tallest - 1) * RowGap);
        var boxes = new List<Box>();
        for (var column = 0; column < layers.Count; column++)
        {
            var ids = order[layers[column]];
            // Shorter columns are centred against the tallest one.
            var columnHeight = (ids.Count * NodeHeight) + ((ids.Count - 1) * RowGap);
            var top = (height - columnHeight) / 2;
            for (var row = 0; row < ids.Count; row++)
            {
                boxes.Add(new Box(ids[row], layers[column], row, Margin + (column * (NodeWidth + LayerGap)), top + (row * (NodeHeight + RowGap))));
            }
        }

        var byId = boxes.ToDictionary(b => b.Id, StringComparer.Ordinal);
        var edges = drawn.Select(l => new Edge(l.From, l.To, PathOf(byId[l.From], byId[l.To]))).ToList();
        var width = (2 * Margin) + (layers.Count * NodeWidth) + ((layers.Count - 1) * LayerGap);
        return new Picture(boxes, edges, width, height);
    }

    /// <summary>Pairs of links whose straight segments cross between adjacent columns: what the ordering keeps low.</summary>
    public static int Crossings(Picture picture)
    {
        var byId = picture.Boxes.ToDictionary(b => b.Id, StringComparer.Ordinal);
        var segments = picture.Edges
            .Select(e => (From: byId[e.From], To: byId[e.To]))
            .Where(s => s.To.Layer > s.From.Layer)
            .ToList();
        var count = 0;
        for (var i = 0; i < segments.Count; i++)
        {
            for (var j = i + 1; j < segments.Count; j++)
            {
                var (a, b) = (segments[i], segments[j]);
                if (a.From.Layer == b.From.Layer && a.To.Layer == b.To.Layer
                    && Math.Sign(a.From.Row - b.From.Row) * Math.Sign(a.To.Row - b.To.Row) < 0)
                {
                    count++;
                }
            }
        }

        return count;
    }

    private static List<string> Reorder(List<string> ids, List<string> fixedIds, Dictionary<string, List<string>> neighbours)
    {
        var position = fixedIds.Select((id, index) => (id, index)).ToDictionary(p => p.id, p => (double)p.index, StringComparer.Ordinal);
        return [.. ids
            .Select((id, index) =>
            {
                var around = neighbours[id].Where(position.ContainsKey).Select(n => position[n]).ToList();
                // A node with no neighbour in the fixed column keeps its place, scaled to the fixed column's span.
                var key = around.Count > 0 ? around.Average() : index * (fixedIds.Count / (double)Math.Max(1, ids.Count));
                return (id, key, index);
            })
            .OrderBy(n => n.key).ThenBy(n => n.index).Select(n => n.id)];
    }

    private static string PathOf(Box from, Box to)
    {
        if (to.Layer > from.Layer)
        {
            var middle = (from.Right + to.X) / 2;
            return Format($"M {from.Right} {from.MiddleY} C {middle} {from.MiddleY}, {middle} {to.MiddleY}, {to.X} {to.MiddleY}");
        }

        // Same column or backwards: loop out to the right and back in from the left, so the curve leaves no box through its face.
        var reach = LayerGap * 0.6;
        return Format($"M {from.Right} {from.MiddleY} C {from.Right + reach} {from.MiddleY}, {to.X - reach} {to.MiddleY}, {to.X} {to.MiddleY}");
    }

    private static string Format(FormattableString path) => path.ToString(CultureInfo.InvariantCulture);
}
