using System.Text.Json;

namespace MeshInABox.Lineage.Catalog;

/// <summary>
/// A catalog written down as JSON, for fixtures and tools without a mesh repository:
/// <c>{"domain": "sales", "tables": {"sales.orders.lines": {"id": "BIGINT", ...}}}</c>.
/// </summary>
public static class CatalogFile
{
    /// <exception cref="JsonException">The text is not such a catalog.</exception>
    public static LineageCatalog Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var catalog = new LineageCatalog(root.TryGetProperty("domain", out var domain) ? domain.GetString() : null);
        foreach (var table in root.GetProperty("tables").EnumerateObject())
        {
            catalog.Add(table.Name, table.Value.EnumerateObject().Select(c => new CatalogColumn(c.Name, c.Value.GetString() ?? "VARCHAR")));
        }

        return catalog;
    }
}
