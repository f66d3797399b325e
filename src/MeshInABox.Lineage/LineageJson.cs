using System.Text.Json.Nodes;

namespace MeshInABox.Lineage;

/// <summary>
/// A statement's lineage as JSON: <c>target</c>, <c>sources</c>, <c>columns</c> (each output's source columns),
/// then the per-edge form (<c>edges</c>: DIRECT/INDIRECT with OpenLineage's subtype; <c>dataset</c>: what decides
/// the rows), <c>undetermined</c> when part of it is unknown, and <c>error</c> when there is none.
/// </summary>
public static class LineageJson
{
    public static JsonObject ToJson(LineageResult result)
    {
        var columns = new JsonObject();
        var edges = new JsonObject();
        foreach (var (name, columnEdges) in result.Columns)
        {
            // A name twice (SELECT a, a) keeps its first lineage: JSON keys are unique.
            if (!columns.ContainsKey(name))
            {
                columns[name] = new JsonArray([.. columnEdges.Select(e => e.Source).Distinct().Order(StringComparer.Ordinal).Select(s => (JsonNode)s)]);
                edges[name] = new JsonArray([.. columnEdges.Select(Edge)]);
            }
        }

        return new JsonObject
        {
            ["target"] = result.Target,
            ["sources"] = new JsonArray([.. result.Sources.Select(s => (JsonNode)s)]),
            ["columns"] = columns,
            ["edges"] = edges,
            ["dataset"] = new JsonArray([.. result.Dataset.Select(Edge)]),
            ["undetermined"] = result.Undetermined,
            ["error"] = result.Error?.Message,
            ["position"] = result.Error?.Position,
        };
    }

    private static JsonNode Edge(LineageEdge edge) => new JsonObject
    {
        ["source"] = edge.Source,
        ["type"] = edge.Type == EdgeType.Direct ? "DIRECT" : "INDIRECT",
        ["subtype"] = Subtype(edge.Subtype),
    };

    /// <summary>OpenLineage's spelling of a subtype.</summary>
    public static string Subtype(EdgeSubtype subtype) => subtype switch
    {
        EdgeSubtype.GroupBy => "GROUP_BY",
        _ => subtype.ToString().ToUpperInvariant(),
    };
}
