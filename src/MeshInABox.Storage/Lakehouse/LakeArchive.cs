using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using MeshInABox.Iceberg;
using MeshInABox.Iceberg.Manifests;
using MeshInABox.Lakehouse.Engine;
using MeshInABox.Lakehouse.Engine.Tables;

namespace MeshInABox.Storage.Lakehouse;

/// <summary>
/// The archive of a retired product's table: its current snapshot frozen into a folder of its own — that snapshot's
/// metadata, manifest list, manifests and data files, laid out as under the table, plus <see cref="ManifestFile"/>
/// listing every file with its SHA-256. The folder is itself a readable Iceberg table; restoring copies it back
/// into a lake after checking every file against the manifest.
/// </summary>
public static class LakeArchive
{
    /// <summary>The archive's own listing, next to the table's files.</summary>
    public const string ManifestFile = "archive-manifest.json";

    public sealed record ArchivedFile(string Path, long Bytes, string Sha256);

    /// <param name="Table">The table's name, <c>domain.product.output</c>.</param>
    /// <param name="SnapshotId">The snapshot frozen; null for a table that never held rows.</param>
    public sealed record Manifest(string Table, long? SnapshotId, int MetadataVersion, DateTimeOffset ArchivedAt, IReadOnlyList<ArchivedFile> Files);

    /// <summary>Marks a folder an archive is being written in, beside where it will be.</summary>
    private const string Partial = ".partial-";

    /// <summary>A staging folder untouched for this long belongs to a run that died, not to one still copying.</summary>
    private static readonly TimeSpan Abandoned = TimeSpan.FromHours(1);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>
    /// Freezes the table's current snapshot into <paramref name="archiveDirectory"/> (which must not exist yet):
    /// written in a temporary folder beside it, then renamed, so an archive is either whole or absent. Archiving the
    /// same snapshot again returns the existing archive.
    /// </summary>
    public static async Task<Manifest> ArchiveAsync(string tableDirectory, LakeTableName name, string archiveDirectory, TimeProvider time, CancellationToken ct)
    {
        var archive = Path.GetFullPath(archiveDirectory);
        var table = IcebergTable.Open(tableDirectory);
        var snapshot = table.Metadata.CurrentSnapshot;
        if (Directory.Exists(archive))
        {
            return Existing(archive, name, snapshot?.SnapshotId);
        }

        RemoveAbandoned(archive, time);
        var staging = $"{archive}{Partial}{Guid.NewGuid():N}";
        Directory.CreateDirectory(staging);
        try
        {
            var files = new List<ArchivedFile>();
            foreach (var source in SnapshotFiles(table))
            {
                var relative = Relative(table, source);
                files.Add(await CopyAsync(source, Path.Combine(staging, relative), relative, ct));
            }

            var metadata = Path.Combine("metadata", $"v{table.Version}.metadata.json");
            Directory.CreateDirectory(Path.Combine(staging, "metadata"));
            await File.WriteAllTextAsync(Path.Combine(staging, metadata), FrozenMetadata(table).ToJsonString(Json), ct);
            files.Add(await DescribeAsync(Path.Combine(staging, metadata), metadata, ct));
            var hint = Path.Combine("metadata", "version-hint.text");
            await File.WriteAllTextAsync(Path.Combine(staging, hint), table.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
            files.Add(await DescribeAsync(Path.Combine(staging, hint), hint, ct));

            var manifest = new Manifest(name.ToString(), snapshot?.SnapshotId, table.Version, time.GetUtcNow(),
                [.. files.OrderBy(f => f.Path, StringComparer.Ordinal)]);
            await File.WriteAllTextAsync(Path.Combine(staging, ManifestFile), JsonSerializer.Serialize(manifest, Json), ct);
            Directory.Move(staging, archive);
            return manifest;
        }
        catch
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }

            if (Directory.Exists(archive))
            {
                // Another run archived it first.
                return Existing(archive, name, snapshot?.SnapshotId);
            }

            throw;
        }
    }

    /// <summary>
    /// Puts an archived table back at <c>&lt;lakeRoot&gt;/&lt;domain&gt;/&lt;product&gt;/&lt;output&gt;/</c> after checking every
    /// file's size and SHA-256; copied to a temporary folder first, then renamed into place. Refused when a different
    /// table is there; restoring the same snapshot again changes nothing.
    /// </summary>
    /// <returns>The restored table's directory.</returns>
    public static async Task<string> RestoreAsync(string archiveDirectory, string lakeRoot, CancellationToken ct)
    {
        var archive = Path.GetFullPath(archiveDirectory);
        var manifest = Read(archive);
        var name = LakeTableName.Parse(manifest.Table);
        var target = name.DirectoryIn(lakeRoot);
        foreach (var file in manifest.Files)
        {
            var copy = await DescribeAsync(Inside(archive, file.Path), file.Path, ct);
            if (copy != file)
            {
                throw new LakehouseException($"The archive {archive} is damaged: {file.Path} is not the file its manifest lists (size or SHA-256 differ). Nothing was restored.");
            }
        }

        if (Directory.Exists(target))
        {
            var present = File.Exists(Path.Combine(target, "metadata", "version-hint.text")) ? IcebergTable.Open(target).Metadata.CurrentSnapshotId : null;
            return present == manifest.SnapshotId && present is not null
                ? target
                : throw new LakehouseException($"{target} already holds a table (or files); restore the archive elsewhere or remove it first. Nothing was restored.");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var staging = $"{target}.restore-{Guid.NewGuid():N}";
        try
        {
            foreach (var file in manifest.Files)
            {
                var destination = Path.Combine(staging, file.Path);
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                File.Copy(Inside(archive, file.Path), destination);
            }

            Directory.Move(staging, target);
            return target;
        }
        catch
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }

            throw;
        }
    }

    public static Manifest Read(string archiveDirectory)
    {
        var path = Path.Combine(archiveDirectory, ManifestFile);
        return File.Exists(path)
            ? JsonSerializer.Deserialize<Manifest>(File.ReadAllText(path), Json) ?? throw new LakehouseException($"{path} is empty.")
            : throw new LakehouseException($"{archiveDirectory} is not a table archive: it has no {ManifestFile}.");
    }

    /// <summary>What a run that died while copying left beside the archive: never an archive, so safe to remove once old.</summary>
    private static void RemoveAbandoned(string archive, TimeProvider time)
    {
        var parent = Path.GetDirectoryName(archive)!;
        if (!Directory.Exists(parent))
        {
            return;
        }

        foreach (var folder in Directory.EnumerateDirectories(parent, Path.GetFileName(archive) + Partial + "*"))
        {
            if (Directory.GetLastWriteTimeUtc(folder) < (time.GetUtcNow() - Abandoned).UtcDateTime)
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static Manifest Existing(string archive, LakeTableName name, long? snapshot)
    {
        var existing = Read(archive);
        return existing.Table == name.ToString() && existing.SnapshotId == snapshot
            ? existing
            : throw new LakehouseException($"{archive} already holds an archive of {existing.Table} (snapshot {existing.SnapshotId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}); choose another folder.");
    }

    /// <summary>The current snapshot's manifest list, manifests and live data and delete files.</summary>
    private static IEnumerable<string> SnapshotFiles(IcebergTable table)
    {
        if (table.Metadata.CurrentSnapshot is not { } snapshot)
        {
            yield break;
        }

        var list = table.Resolve(snapshot.ManifestList);
        yield return list;
        foreach (var manifest in ManifestReader.ReadManifestList(list))
        {
            var path = table.Resolve(manifest.Path);
            yield return path;
            foreach (var entry in ManifestReader.ReadManifest(path, manifest).Where(e => e.Status != EntryStatus.Deleted))
            {
                yield return table.Resolve(entry.File.FilePath);
            }
        }
    }

    /// <summary>
    /// The current metadata version with only the frozen snapshot: earlier snapshots' files are not in the archive,
    /// so nothing may point at them (time travel within the archive would find missing files).
    /// </summary>
    private static JsonObject FrozenMetadata(IcebergTable table)
    {
        var document = table.Metadata.Document.DeepClone().AsObject();
        var current = table.Metadata.CurrentSnapshotId;
        bool IsCurrent(JsonNode? node) => node?["snapshot-id"]?.GetValue<long>() == current;
        document["snapshots"] = new JsonArray([.. ((JsonArray?)document["snapshots"] ?? []).Where(IsCurrent).Select(s => s!.DeepClone())]);
        document["snapshot-log"] = new JsonArray([.. ((JsonArray?)document["snapshot-log"] ?? []).Where(IsCurrent).Select(s => s!.DeepClone())]);
        document["metadata-log"] = new JsonArray();
        document["refs"] = current is { } id
            ? new JsonObject { ["main"] = new JsonObject { ["snapshot-id"] = id, ["type"] = "branch" } }
            : new JsonObject();
        document.Remove("statistics");
        document.Remove("partition-statistics");
        return document;
    }

    private static string Relative(IcebergTable table, string file)
    {
        var relative = Path.GetRelativePath(table.Directory, file);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative)
            ? throw new LakehouseException($"{file} of table {table.Directory} lies outside the table's folder; such a table cannot be archived as a folder.")
            : relative;
    }

    /// <summary>A manifest's path, refused if it would lead out of the archive (a hand-edited manifest).</summary>
    private static string Inside(string archive, string relative)
    {
        var full = Path.GetFullPath(Path.Combine(archive, relative));
        return full.StartsWith(archive + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? full
            : throw new LakehouseException($"The archive's manifest names {relative}, which is outside the archive. Nothing was restored.");
    }

    private static async Task<ArchivedFile> CopyAsync(string source, string destination, string relative, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        await using (var from = File.OpenRead(source))
        await using (var to = new FileStream(destination, FileMode.CreateNew, FileAccess.Write))
        {
            await from.CopyToAsync(to, ct);
        }

        // The hash is of the copy: what the archive holds is what its manifest vouches for.
        return await DescribeAsync(destination, relative, ct);
    }

    private static async Task<ArchivedFile> DescribeAsync(string file, string relative, CancellationToken ct)
    {
        await using var stream = File.OpenRead(file);
        var hash = await SHA256.HashDataAsync(stream, ct);
        return new ArchivedFile(relative.Replace(Path.DirectorySeparatorChar, '/'), stream.Length, Convert.ToHexStringLower(hash));
    }
}
