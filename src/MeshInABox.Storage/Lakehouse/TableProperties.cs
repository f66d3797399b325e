using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MeshInABox.Iceberg;
using MeshInABox.Iceberg.Writing;

namespace MeshInABox.Storage.Lakehouse;

/// <summary>
/// Sets and removes Iceberg table properties as a new metadata version. The Iceberg library has no public call for
/// it, so this follows its commit protocol: the next <c>vN.metadata.json</c> is created exclusively (a writer that
/// committed first wins and this one retries on the new version), then the version hint moves forward.
/// </summary>
internal static class TableProperties
{
    /// <param name="wanted">Each property to set; a null value removes it.</param>
    /// <returns>The properties that were changed (empty when all were already as wanted: nothing committed).</returns>
    public static IReadOnlyList<string> Apply(string directory, IReadOnlyDictionary<string, string?> wanted, TimeProvider time)
    {
        for (var attempt = 1; attempt <= TableWriter.MaxCommitAttempts; attempt++)
        {
            var table = IcebergTable.Open(directory);
            var current = Read(table);
            var changed = wanted.Where(kv => current.GetValueOrDefault(kv.Key) != kv.Value).Select(kv => kv.Key).Order(StringComparer.Ordinal).ToList();
            if (changed.Count == 0)
            {
                return [];
            }

            var next = table.Metadata.Document.DeepClone().AsObject();
            var properties = next["properties"] as JsonObject ?? [];
            next["properties"] = properties;
            foreach (var key in changed)
            {
                if (wanted[key] is { } value)
                {
                    properties[key] = value;
                }
                else
                {
                    properties.Remove(key);
                }
            }

            ((JsonArray)(next["metadata-log"] ??= new JsonArray())).Add(new JsonObject
            {
                ["timestamp-ms"] = table.Metadata.Document["last-updated-ms"]!.GetValue<long>(),
                ["metadata-file"] = IcebergTable.MetadataFile(table.Directory, table.Version),
            });
            next["last-updated-ms"] = time.GetUtcNow().ToUnixTimeMilliseconds();
            var json = JsonSerializer.SerializeToUtf8Bytes(next, new JsonSerializerOptions { WriteIndented = true });
            if (ExclusiveFile.TryCreate(IcebergTable.MetadataFile(table.Directory, table.Version + 1), json))
            {
                WriteHint(table.Directory, table.Version + 1);
                return changed;
            }
        }

        throw new IcebergCommitException($"Could not set the properties of {directory}: other writers kept committing.");
    }

    public static IReadOnlyDictionary<string, string> Read(IcebergTable table) =>
        (table.Metadata.Document["properties"] as JsonObject)?.ToDictionary(kv => kv.Key, kv => kv.Value?.GetValue<string>() ?? "")
        ?? new Dictionary<string, string>();

    /// <summary>The hint only moves forward: a slower writer must not point readers back at an older version.</summary>
    private static void WriteHint(string directory, int version)
    {
        var hint = Path.Combine(directory, "metadata", "version-hint.text");
        if (File.Exists(hint) && int.TryParse(File.ReadAllText(hint).Trim(), CultureInfo.InvariantCulture, out var current) && current > version)
        {
            return;
        }

        var temporary = hint + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllText(temporary, version.ToString(CultureInfo.InvariantCulture));
        File.Move(temporary, hint, overwrite: true);
    }
}
