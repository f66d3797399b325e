using System.Text.Json.Nodes;

namespace MeshInABox.Lineage.Tests;

/// <summary>Every statement of the corpus (corpus/*.sql) gives its expected target, sources and columns.</summary>
public sealed class LineageCorpusTests
{
    public static TheoryData<string> Cases() => [.. CorpusCase.All().Select(c => c.ToString())];

    [Fact]
    public void The_corpus_holds_at_least_sixty_statements() =>
        Assert.True(CorpusCase.All().Count >= 60, $"{CorpusCase.All().Count} statements.");

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_statement_gives_its_expected_lineage(string id)
    {
        var corpusCase = CorpusCase.All().Single(c => c.ToString() == id);
        using var analyzer = new LineageAnalyzer(TestCatalog.Create());
        var actual = LineageJson.ToJson(analyzer.Analyze(corpusCase.Sql));
        Assert.True(corpusCase.Expected is not null, $"{id} has no expectation; it gives {actual.ToJsonString()}");
        foreach (var (key, expected) in corpusCase.Expected)
        {
            // "undetermined": true says there is a reason, whatever its wording.
            if (key == "undetermined" && expected?.GetValueKind() == System.Text.Json.JsonValueKind.True)
            {
                Assert.False(string.IsNullOrEmpty(actual[key]?.GetValue<string>()), $"{id}: no reason is given for what is undetermined.");
                continue;
            }

            Assert.True(JsonNode.DeepEquals(expected, actual[key]), $"{id}: {key} is {actual[key]?.ToJsonString() ?? "null"}, expected {expected?.ToJsonString() ?? "null"}.");
        }
    }
}
