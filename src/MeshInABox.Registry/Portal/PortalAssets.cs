using System.Collections.Frozen;
using System.Security.Cryptography;

namespace MeshInABox.Registry.Portal;

/// <summary>
/// The portal's static files, embedded in the registry's assembly (from wwwroot/catalog/) so they are served the same
/// whether the registry runs from its own folder, under Aspire, or in-process in the embedded host, whose content root is another program's.
/// Only these names are served: no path from a request ever reaches a file system.
/// </summary>
public static class PortalAssets
{
    public const string Htmx = "htmx.min.js";
    public const string Stylesheet = "portal.css";

    public sealed record Asset(string Name, string ContentType, byte[] Content, string Integrity);

    public static FrozenDictionary<string, Asset> All { get; } = Load();

    /// <summary>Subresource integrity of the served htmx, so a browser refuses any other bytes under its name.</summary>
    public static string HtmxIntegrity => All[Htmx].Integrity;

    public static string StylesheetIntegrity => All[Stylesheet].Integrity;

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(PortalAssets).Assembly;
        return new (string Name, string Type)[] { (Htmx, "text/javascript; charset=utf-8"), (Stylesheet, "text/css; charset=utf-8") }
            .Select(file =>
            {
                using var stream = assembly.GetManifestResourceStream("catalog/" + file.Name)
                    ?? throw new InvalidOperationException($"The portal asset {file.Name} is not embedded in {assembly.GetName().Name}.");
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                var bytes = copy.ToArray();
                return new Asset(file.Name, file.Type, bytes, "sha384-" + Convert.ToBase64String(SHA384.HashData(bytes)));
            })
            .ToFrozenDictionary(a => a.Name, StringComparer.Ordinal);
    }
}
