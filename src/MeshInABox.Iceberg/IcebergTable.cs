using System.Globalization;
using MeshInABox.Iceberg.Metadata;

namespace MeshInABox.Iceberg;

/// <summary>
/// A table in the file-system ("Hadoop") catalog layout:
/// <c>&lt;table&gt;/metadata/vN.metadata.json</c> with <c>metadata/version-hint.text</c>
/// naming the current N, data under <c>&lt;table&gt;/data/</c>.
/// </summary>
public sealed class IcebergTable
{
    private IcebergTable(string directory, int version, TableMetadata metadata)
    {
        Directory = directory;
        Version = version;
        Metadata = metadata;
    }

    public string Directory { get; }

    /// <summary>N of the <c>vN.metadata.json</c> this view of the table was read from.</summary>
    public int Version { get; }

    public TableMetadata Metadata { get; }

    public string MetadataDirectory => Path.Combine(Directory, "metadata");

    public static string MetadataFile(string tableDirectory, int version) =>
        Path.Combine(tableDirectory, "metadata", $"v{version}.metadata.json");

    /// <summary>Opens the current version, or <paramref name="version"/> when given.</summary>
    public static IcebergTable Open(string directory, int? version = null)
    {
        var full = Path.GetFullPath(directory);
        var hint = Path.Combine(full, "metadata", "version-hint.text");
        var current = version ?? (File.Exists(hint)
            ? int.TryParse(File.ReadAllText(hint).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
                : throw new IcebergFormatException($"{hint} does not hold a version number.")
            : throw new IcebergFormatException($"{full} is not an Iceberg table: {hint} is missing."));
        // The commit point is the exclusive creation of vN.metadata.json; the hint may lag behind
        // a writer that died before moving it, so newer versions win.
        while (version is null && File.Exists(MetadataFile(full, current + 1)))
        {
            current++;
        }

        var file = MetadataFile(full, current);
        if (!File.Exists(file))
        {
            throw new IcebergFormatException($"{file} is missing, though {hint} names version {current}.");
        }

        return new IcebergTable(full, current, TableMetadata.Parse(File.ReadAllText(file), file));
    }

    /// <summary>
    /// Where a path written in the metadata is on this machine. Writers record
    /// their own locations (s3a://..., relative paths, file:/...); any path under
    /// the table's recorded location maps to this directory.
    /// </summary>
    public string Resolve(string path)
    {
        var location = Normalise(Metadata.Location);
        var normalised = Normalise(path);
        if (location.Length > 0 && normalised.StartsWith(location + "/", StringComparison.Ordinal))
        {
            return Path.Combine(Directory, normalised[(location.Length + 1)..]);
        }

        if (Path.IsPathRooted(normalised) && File.Exists(normalised))
        {
            return normalised;
        }

        // Relative to the table's parent, as a warehouse-relative writer put it.
        var relative = Path.Combine(Path.GetDirectoryName(Directory)!, normalised);
        return File.Exists(relative)
            ? relative
            : throw new IcebergFormatException($"Cannot find '{path}' of table {Directory} (its recorded location is '{Metadata.Location}').");
    }

    private static string Normalise(string path)
    {
        var text = path.StartsWith("file://", StringComparison.Ordinal) ? path[7..]
            : path.StartsWith("file:", StringComparison.Ordinal) ? path[5..]
            : path;
        while (text.StartsWith("./", StringComparison.Ordinal))
        {
            text = text[2..];
        }

        return text.TrimEnd('/');
    }
}
