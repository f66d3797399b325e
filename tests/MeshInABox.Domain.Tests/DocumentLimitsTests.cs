using System.Text;
using MeshInABox.Domain.Contracts;
using MeshInABox.Domain.Documents;
using MeshInABox.Domain.Streams;

namespace MeshInABox.Domain.Tests;

public sealed class DocumentLimitsTests
{
    [Theory]
    [InlineData("contract.yaml")]
    [InlineData("contract.json")]
    public void Parse_HundredThousandNestedLists_IsAnErrorNamingTheDepthLimit(string file)
    {
        var text = new string('[', 100_000) + new string(']', 100_000);

        var error = Assert.Throws<DocumentParseException>(() => StructuredText.ParseMapping(text, file));

        Assert.Contains($"limit: depth {DocumentLimits.MaxDepth}", error.Error.Message);
        Assert.Equal((file, 1), (error.Error.Location.File, error.Error.Location.Line));
    }

    [Fact]
    public void Parse_DeepYamlBlockNesting_NamesTheLineWhereTheLimitIsCrossed()
    {
        var text = new StringBuilder("apiVersion: v3.1.0\n");
        for (var i = 0; i < 100; i++)
        {
            text.Append(new string(' ', i * 2)).Append("a:\n");
        }

        text.Append(new string(' ', 200)).Append("b: 1\n");

        var error = Assert.Throws<DocumentParseException>(() => ContractReader.Read(text.ToString(), "deep.yaml"));

        Assert.Contains("limit: depth", error.Error.Message);
        // Line 1 opens the root mapping, line n + 1 the n-th nested one: the 65th level starts on line 66.
        Assert.Equal(DocumentLimits.MaxDepth + 2, error.Error.Location.Line);
        Assert.StartsWith($"deep.yaml:{DocumentLimits.MaxDepth + 2}:", error.Error.ToString());
    }

    [Fact]
    public void Parse_AliasBombInAnAsyncApiDocument_IsRejectedByTheNodeLimit()
    {
        var bomb = AliasBomb(levels: 7, fanOut: 10);
        Assert.True(bomb.Length < 1024, $"The bomb is {bomb.Length} characters.");

        var error = Assert.Throws<DocumentParseException>(() => AsyncApiDocument.Read(bomb, "stream.yaml"));

        Assert.Contains($"limit: nodes {DocumentLimits.MaxNodes}", error.Error.Message);
        Assert.Equal("stream.yaml", error.Error.Location.File);
    }

    [Fact]
    public void Parse_MoreAliasesThanAllowed_IsAnErrorNamingTheAliasLimit()
    {
        var text = "a: &x 1\nb: [" + string.Join(", ", Enumerable.Repeat("*x", DocumentLimits.MaxAliases + 1)) + "]\n";

        var error = Assert.Throws<DocumentParseException>(() => StructuredText.ParseMapping(text, "aliases.yaml"));

        Assert.Contains($"limit: aliases {DocumentLimits.MaxAliases}", error.Error.Message);
        Assert.Equal(2, error.Error.Location.Line);
    }

    [Fact]
    public void Parse_TooManyNodes_IsAnErrorNamingTheNodeLimit()
    {
        var text = "a: [" + string.Join(",", Enumerable.Repeat("1", DocumentLimits.MaxNodes)) + "]\n";

        var error = Assert.Throws<DocumentParseException>(() => StructuredText.ParseMapping(text, "wide.yaml"));

        Assert.Contains($"limit: nodes {DocumentLimits.MaxNodes}", error.Error.Message);
    }

    [Fact]
    public void Parse_OverTheSizeLimit_IsAnErrorNamingTheSizeLimit()
    {
        var text = "a: \"" + new string('x', DocumentLimits.MaxCharacters) + "\"\n";

        var error = Assert.Throws<DocumentParseException>(() => StructuredText.ParseMapping(text, "big.yaml"));

        Assert.Contains("limit: size", error.Error.Message);
        Assert.Equal(1, error.Error.Location.Line);
    }

    [Theory]
    [InlineData("a: &x [1, *x]\n")]
    [InlineData("a: &x {b: {c: *x}}\n")]
    public void Parse_AliasInsideTheNodeItNames_IsAnError(string text)
    {
        var error = Assert.Throws<DocumentParseException>(() => StructuredText.ParseMapping(text, "cycle.yaml"));

        Assert.Contains("a cycle", error.Error.Message);
    }

    [Fact]
    public void Parse_AFewAliasesWithinTheLimits_StillWork()
    {
        var root = StructuredText.ParseMapping("base: &b {x: 1, y: [1, 2]}\nc: *b\nd: *b\n", "ok.yaml");

        Assert.Equal(3, root.Children.Count);
    }

    [Fact]
    public void Parse_RefBombInAPayloadSchema_IsAnErrorNotAnExplosion()
    {
        var levels = new StringBuilder();
        for (var level = 0; level < 7; level++)
        {
            levels.Append($"    l{level}:\n      type: object\n      properties:\n");
            for (var i = 0; i < 10; i++)
            {
                levels.Append($"        p{i}: {(level == 6 ? "{type: string}" : $"{{$ref: '#/components/schemas/l{level + 1}'}}")}\n");
            }
        }

        var text = $$"""
            asyncapi: 3.0.0
            info: {title: t, version: 1.0.0}
            channels:
              c:
                address: subscriptions.c
                messages:
                  m:
                    payload: {$ref: '#/components/schemas/l0'}
            components:
              schemas:
            {{levels}}
            """;

        var read = AsyncApiDocument.Read(text, "refs.yaml");

        Assert.Contains(read.Errors, e => e.Message.Contains($"limit: nodes {DocumentLimits.MaxNodes}", StringComparison.Ordinal));
    }

    /// <summary>Random and hostile text, seeded: the parsers answer a document or the documented parse error, nothing else.</summary>
    [Fact]
    public void Parse_RandomAndHostileDocuments_OnlyEverThrowTheParseError()
    {
        var random = new Random(20260101);
        string[] pieces = ["[", "]", "{", "}", ":", ",", "-", " ", "\n", "  ", "&a", "*a", "&b ", "*b", "!!str", "'", "\"", "#", "---", "...", "a", "1", "null",
            "\u0000", "\uFFFF", "\uD800", "é", "\t", "? ", "|", ">", "%YAML 1.2\n", "<<: *a", "\\", "\r"];
        for (var i = 0; i < 300; i++)
        {
            var text = new StringBuilder();
            var length = random.Next(1, i % 10 == 0 ? 5000 : 200);
            for (var j = 0; j < length; j++)
            {
                text.Append(pieces[random.Next(pieces.Length)]);
            }

            if (i % 25 == 0)
            {
                text.Insert(0, new string('[', random.Next(60, 5000)));
            }

            foreach (var file in new[] { "random.yaml", "random.json" })
            {
                try
                {
                    ContractReader.Read(text.ToString(), file);
                    AsyncApiDocument.Read(text.ToString(), file);
                }
                catch (DocumentParseException)
                {
                    // The documented failure.
                }
            }
        }
    }

    /// <summary>Each level an anchored list of ten aliases to the level below: 10^levels nodes once expanded.</summary>
    internal static string AliasBomb(int levels, int fanOut)
    {
        var text = new StringBuilder("asyncapi: 3.0.0\ninfo: {title: t, version: 1.0.0}\nx:\n  l0: &l0 [lol]\n");
        for (var level = 1; level <= levels; level++)
        {
            text.Append($"  l{level}: &l{level} [{string.Join(",", Enumerable.Repeat($"*l{level - 1}", fanOut))}]\n");
        }

        text.Append($"channels: {{c: {{address: a, messages: {{m: {{payload: *l{levels}}}}}}}}}\n");
        return text.ToString();
    }
}
