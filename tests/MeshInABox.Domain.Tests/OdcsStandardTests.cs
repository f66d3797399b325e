using MeshInABox.Domain.Contracts;
using MeshInABox.Domain.Contracts.Standard;
using MeshInABox.Domain.Documents;
using MeshInABox.Domain.Linting;
using MeshInABox.Domain.Versioning;
using YamlDotNet.Core;
using YamlDotNet.Core.Tokens;

namespace MeshInABox.Domain.Tests;

/// <summary>The ODCS rules against the standard's own examples and official JSON Schemas.</summary>
public sealed class OdcsStandardTests
{
    [Fact]
    public void OfficialSchemas_GiveTheExpectedVerdict_OnEveryExample()
    {
        OdcsFixtures.SkipUnlessPresent();

        var disagreements = new List<string>();
        foreach (var example in OdcsFixtures.Examples())
        {
            var root = StructuredText.ParseMapping(example.Text, example.RelativePath);
            var declared = OdcsVersion.Find(((YamlDotNet.RepresentationModel.YamlScalarNode)NodeReader.Child(root, "apiVersion")!).Value)!;
            var (valid, errors) = OdcsFixtures.OfficialVerdict(root, declared);
            if (valid != example.Valid)
            {
                disagreements.Add($"{example.RelativePath}: EXPECT says {(example.Valid ? "valid" : "invalid")}, the {declared} schema says {(valid ? "valid" : "invalid: " + errors)}");
            }
        }

        Assert.True(disagreements.Count == 0, string.Join("\n", disagreements));
    }

    [Fact]
    public void Rules_AgreeWithTheOfficialSchema_OfEveryVersion_OnEveryExample()
    {
        OdcsFixtures.SkipUnlessPresent();

        var disagreements = new List<string>();
        var compared = 0;
        foreach (var example in OdcsFixtures.Examples())
        {
            var root = StructuredText.ParseMapping(example.Text, example.RelativePath);
            foreach (var version in OdcsVersion.All)
            {
                compared++;
                var ours = OdcsRules.Validate(root, example.RelativePath, version);
                var (officialValid, officialErrors) = OdcsFixtures.OfficialVerdict(root, version);
                if ((ours.Count == 0) != officialValid)
                {
                    disagreements.Add($"{example.RelativePath} as {version}: official {(officialValid ? "valid" : "invalid (" + officialErrors + ")")}, ours {(ours.Count == 0 ? "valid" : string.Join("; ", ours.Take(3)))}");
                }
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{compared - disagreements.Count}/{compared} example x version verdicts agree with the official schemas.");
        Assert.True(disagreements.Count == 0, $"{disagreements.Count} of {compared} disagree:\n" + string.Join("\n", disagreements));
    }

    [Fact]
    public void Lint_EveryExample_GetsTheOfficialVerdict_WithFileLineAndRule()
    {
        OdcsFixtures.SkipUnlessPresent();

        var wrong = new List<string>();
        var (valid, invalid, validClean, invalidRefused) = (0, 0, 0, 0);
        foreach (var example in OdcsFixtures.Examples())
        {
            var result = DocumentLint.Lint(example.Text, example.RelativePath);
            if (example.Valid)
            {
                valid++;
                if (result.ExitCode == 0 && result.Findings.Count == 0)
                {
                    validClean++;
                }
                else
                {
                    wrong.Add($"{example.RelativePath} is valid, lint says: {string.Join("; ", result.Findings.Take(3))}{result.Unreadable}");
                }

                continue;
            }

            invalid++;
            var placed = result.Findings.All(f => f.Location.File == example.RelativePath && f.Location.Line > 0 && f.Location.Column > 0 && f.Rule.StartsWith("odcs-v3.", StringComparison.Ordinal));
            if (result.ExitCode == 1 && result.Findings.Count > 0 && placed)
            {
                invalidRefused++;
            }
            else
            {
                wrong.Add($"{example.RelativePath} is invalid ({example.Why}), lint exit {result.ExitCode}: {string.Join("; ", result.Findings.Take(3))}");
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"valid read clean {validClean}/{valid}; invalid refused {invalidRefused}/{invalid}");
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public void Lint_V30xFileInV31Forms_SaysToDeclareV310()
    {
        OdcsFixtures.SkipUnlessPresent();

        foreach (var example in OdcsFixtures.Examples().Where(e => !e.Valid && e.Why.Contains("valid against the v3.1.0 schema", StringComparison.Ordinal)))
        {
            var result = DocumentLint.Lint(example.Text, example.RelativePath);

            Assert.NotEmpty(result.Findings);
            Assert.All(result.Findings, f => Assert.Contains("declare apiVersion: v3.1.0", f.Message));
        }
    }

    [Fact]
    public void Diff_EveryExampleAgainstItself_HasNoChanges()
    {
        OdcsFixtures.SkipUnlessPresent();

        var changed = new List<string>();
        var examples = OdcsFixtures.Examples();
        foreach (var example in examples)
        {
            var contract = ContractReader.Read(example.Text, example.RelativePath).Contract;
            var again = ContractReader.Read(example.Text, example.RelativePath).Contract;
            var changes = ContractDiff.Compare(contract, again);
            if (changes.Count > 0)
            {
                changed.Add($"{example.RelativePath}: {string.Join("; ", changes)}");
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"self-diffs empty {examples.Count - changed.Count}/{examples.Count}");
        Assert.True(changed.Count == 0, string.Join("\n", changed));
    }

    [Fact]
    public void Export_EveryValidExample_GivesTheSameDocument()
    {
        OdcsFixtures.SkipUnlessPresent();

        var failures = new List<string>();
        foreach (var example in OdcsFixtures.Examples().Where(e => e.Valid))
        {
            try
            {
                RoundTrip(example);
            }
            catch (Exception error)
            {
                failures.Add($"{example.RelativePath}: {error.Message}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static void RoundTrip(OdcsFixtures.Example example)
    {
        {
            var read = ContractReader.Read(example.Text, example.RelativePath);

            var yaml = ContractExport.Yaml(example.Text, example.RelativePath);
            var json = ContractExport.Json(read.Contract);

            var fromYaml = ContractReader.Read(yaml, "exported.yaml");
            var fromJson = ContractReader.Read(json, "exported.json");
            Assert.Empty(fromYaml.Errors);
            Assert.Empty(fromJson.Errors);
            // Same data, keys in the same order (JSON objects keep insertion order).
            var data = YamlScalars.ToJson(read.Contract.Document)!.ToJsonString();
            Assert.Equal(data, YamlScalars.ToJson(fromYaml.Contract.Document)!.ToJsonString());
            Assert.Equal(data, YamlScalars.ToJson(fromJson.Contract.Document)!.ToJsonString());
            Assert.Equal(Comments(example.Text), Comments(yaml));
            Assert.Equal(yaml, ContractExport.Yaml(yaml, "exported.yaml"));
        }
    }

    private static List<string> Comments(string yaml)
    {
        var scanner = new Scanner(new StringReader(yaml), skipComments: false);
        var comments = new List<string>();
        while (scanner.MoveNext())
        {
            if (scanner.Current is Comment comment)
            {
                comments.Add(comment.Value.Trim());
            }
        }

        return comments;
    }
}
