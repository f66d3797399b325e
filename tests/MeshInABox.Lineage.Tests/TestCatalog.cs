using MeshInABox.Lineage.Catalog;

namespace MeshInABox.Lineage.Tests;

/// <summary>The tables the corpus is bound against (corpus/catalog.json): two domains of products, a two-part staging table and a one-part one.</summary>
internal static class TestCatalog
{
    private static readonly string Json = File.ReadAllText(Path.Combine(CorpusCase.Directory, "catalog.json"));

    public static LineageCatalog Create(string? domain = "sales")
    {
        var file = CatalogFile.Parse(Json);
        var catalog = new LineageCatalog(domain);
        foreach (var (name, columns) in file.Tables)
        {
            catalog.Add(name, columns);
        }

        return catalog;
    }
}
