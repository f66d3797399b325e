using MeshInABox.Domain.Contracts;
using MeshInABox.Domain.Products;
using MeshInABox.MeshRepository;

namespace MeshInABox.Lineage.Catalog;

/// <summary>The catalog a mesh repository describes: every product output with a readable contract, named as the lakehouse names it.</summary>
public static class MeshRepositoryCatalog
{
    /// <summary>Reads the repository's manifests and contracts; products or contracts that cannot be read are skipped and listed.</summary>
    public static (LineageCatalog Catalog, IReadOnlyList<string> Skipped) Read(string root, string? defaultDomain)
    {
        var catalog = new LineageCatalog(defaultDomain);
        var skipped = new List<string>();
        foreach (var manifestFile in MeshRepositoryValidator.FindManifests(Path.GetFullPath(root)))
        {
            DataProductManifest? manifest;
            try
            {
                manifest = ManifestReader.Read(File.ReadAllText(manifestFile), manifestFile).Manifest;
            }
            catch (Exception error) when (error is IOException or Domain.Documents.DocumentParseException)
            {
                manifest = null;
            }

            if (manifest is null)
            {
                skipped.Add($"{manifestFile}: not a readable product manifest.");
                continue;
            }

            var slug = manifest.Id.StartsWith(manifest.Domain + ".", StringComparison.Ordinal) ? manifest.Id[(manifest.Domain.Length + 1)..] : manifest.Id;
            var directory = Path.GetDirectoryName(manifestFile)!;
            foreach (var output in manifest.Outputs.Where(o => o.Contract is not null))
            {
                var contractFile = Path.GetFullPath(Path.Combine(directory, output.Contract!));
                if (!File.Exists(contractFile))
                {
                    skipped.Add($"{contractFile}: the contract of {manifest.Id}/{output.Name} does not exist.");
                    continue;
                }

                try
                {
                    var contract = ContractReader.Read(File.ReadAllText(contractFile), contractFile).Contract;
                    var table = contract.ObjectFor(output.Name);
                    if (table is null)
                    {
                        skipped.Add($"{contractFile}: no schema object describes output {output.Name}.");
                        continue;
                    }

                    catalog.Add(LineageCatalog.TableName(manifest.Domain, slug, output.Name),
                        table.Properties.Select(p => new CatalogColumn(p.Name, LineageCatalog.SqlType(p))));
                }
                catch (Exception error) when (error is IOException or Domain.Documents.DocumentParseException)
                {
                    skipped.Add($"{contractFile}: {error.Message}");
                }
            }
        }

        return (catalog, skipped);
    }
}
