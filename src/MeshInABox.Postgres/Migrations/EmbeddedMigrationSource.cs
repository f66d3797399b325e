using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace MeshInABox.Postgres.Migrations;

/// <summary>Reads <c>migrations/NNNN_name.sql</c> resources embedded in an assembly.</summary>
public sealed partial class EmbeddedMigrationSource(Assembly assembly) : IMigrationSource
{
    private const string Prefix = "migrations/";

    public IReadOnlyList<Migration> Load()
    {
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            var match = ScriptName().Match(resource[Prefix.Length..]);
            if (!match.Success)
            {
                throw new MigrationException($"Migration script '{resource}' is not named NNNN_name.sql.");
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            migrations.Add(new Migration(
                int.Parse(match.Groups["version"].Value, CultureInfo.InvariantCulture),
                match.Groups["name"].Value,
                reader.ReadToEnd()));
        }

        var duplicate = migrations.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new MigrationException(
                $"Two migration scripts share version {duplicate.Key}: {string.Join(", ", duplicate)}.");
        }

        return [.. migrations.OrderBy(m => m.Version)];
    }

    [GeneratedRegex(@"^(?<version>\d{4})_(?<name>[a-z0-9_]+)\.sql$")]
    private static partial Regex ScriptName();
}
