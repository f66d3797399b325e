using System.Text.Json;
using Json.Schema;
using MeshInABox.Domain.Contracts.Standard;
using MeshInABox.Domain.Documents;
using MeshInABox.Testing;
using YamlDotNet.RepresentationModel;

namespace MeshInABox.Domain.Tests;

/// <summary>
/// The ODCS standard's own examples and official JSON Schemas (shared/fixtures/odcs beside the checkout,
/// or under <c>$MESH_TEST_FIXTURES</c>), with the verdict its <c>EXPECT</c> file gives for each example.
/// </summary>
public static class OdcsFixtures
{
    public sealed record Example(string RelativePath, string FullPath, bool Valid, string Why)
    {
        public string Text => File.ReadAllText(FullPath);
    }

    public static string Folder => Path.GetFullPath(Path.Combine(RepositoryLayout.Fixtures, "odcs"));

    /// <summary>Skips the calling test, saying which folder it needs, when the fixtures are not there.</summary>
    public static void SkipUnlessPresent() =>
        Assert.SkipUnless(File.Exists(Path.Combine(Folder, "EXPECT")),
            $"Needs the ODCS examples and official schemas in {Folder} (shared/fixtures/odcs beside the checkout, or {RepositoryLayout.FixturesVariable}=DIR naming another fixtures folder), which is not there.");

    public static IReadOnlyList<Example> Examples() =>
        [.. File.ReadAllLines(Path.Combine(Folder, "EXPECT"))
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split((char[])[' ', '\t'], 3, StringSplitOptions.RemoveEmptyEntries))
            .Select(parts => new Example(parts[0], Path.Combine(Folder, parts[0]), parts[1] == "valid", parts.Length > 2 ? parts[2].Trim() : ""))];

    private static readonly Dictionary<string, JsonSchema> Schemas = [];

    /// <summary>The official schema of a version, evaluated by JsonSchema.Net (draft 2019-09 in full).</summary>
    public static JsonSchema OfficialSchema(OdcsVersion version)
    {
        lock (Schemas)
        {
            if (!Schemas.TryGetValue(version.Name, out var schema))
            {
                var text = File.ReadAllText(Path.Combine(Folder, "schema", $"odcs-json-schema-{version.Name}.json"));
                Schemas[version.Name] = schema = JsonSchema.FromText(text, baseUri: new Uri($"https://odcs.invalid/{version.Name}/schema.json"));
            }

            return schema;
        }
    }

    /// <summary>
    /// The official verdict on a document for one version. The document's apiVersion is set to that version
    /// first, since which schema applies is the reader's choice and not what is compared here.
    /// </summary>
    public static (bool Valid, string Errors) OfficialVerdict(YamlMappingNode root, OdcsVersion version)
    {
        var json = YamlScalars.ToJson(root)!.AsObject();
        json["apiVersion"] = version.Name;
        using var document = JsonDocument.Parse(json.ToJsonString());
        var result = OfficialSchema(version).Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        var errors = result.Details?.Where(d => d.Errors is not null)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} {e.Key}: {e.Value}"))
            .Take(5) ?? [];
        return (result.IsValid, string.Join("; ", errors));
    }
}
