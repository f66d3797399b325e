using MeshInABox.Domain.Contracts;
using MeshInABox.Domain.Products;
using MeshInABox.Lineage.Catalog;

namespace MeshInABox.MeshRepository;

/// <summary>The catalog a mesh repository describes: every product output with a readable contract, named as the lakehouse names it.</summary>
public static class MeshRepositoryCatalog
{
    /// <summary>Which product output a catalog table is: what a transform's sources are checked against the manifest's inputs with.</summary>
    public sealed record TableOwner(string Product, string Output);

    /// <summary>Reads the repository's manifests and contracts; products or contracts that cannot be read are skipped and listed.</summary>
    public static (LineageCatalog Catalog, IReadOnlyList<string> Skipped) Read(string root, string? defaultDomain)
    {
        var (catalog, skipped, _) = ReadWithOwners(root, defaultDomain);
        return (catalog, skipped);
    }

    /// <summary>As <see cref="Read"/>, with the product output each table is (by its lower-case name).</summary>
    public static (LineageCatalog Catalog, IReadOnlyList<string> Skipped, IReadOnlyDictionary<string, TableOwner> Owners) ReadWithOwners(string root, string? defaultDomain)
    {
        var catalog = new LineageCatalog(defaultDomain);
        var skipped = new List<string>();
        var owners = new Dictionary<string, TableOwner>(StringComparer.OrdinalIgnoreCase);
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

                    var name = LineageCatalog.TableName(manifest.Domain, slug, output.Name);
                    catalog.Add(name, table.Properties.Select(p => new CatalogColumn(p.Name, LineageCatalog.SqlType(p))));
                    owners[name] = new TableOwner(manifest.Id, output.Name);
                }
                catch (Exception error) when (error is IOException or Domain.Documents.DocumentParseException)
                {
                    skipped.Add($"{contractFile}: {error.Message}");
                }
            }
        }

        return (catalog, skipped, owners);
    }
}
