using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using MeshInABox.Domain.Documents;
using MeshInABox.Domain.Streams;
using MeshInABox.Testing;
using YamlDotNet.RepresentationModel;

namespace MeshInABox.Domain.Tests;

/// <summary>
/// The AsyncAPI 3.0.0 specification's own examples (shared/fixtures/asyncapi), each read through
/// <see cref="AsyncApiDocument.ReadFile"/> and held to the official verdict in their EXPECT file.
/// </summary>
public sealed class AsyncApiExamplesTests
{
    private static string Folder => Path.GetFullPath(Path.Combine(RepositoryLayout.Fixtures, "asyncapi"));

    private static string Expect => Path.Combine(Folder, "EXPECT");

    /// <summary>The examples stand for one team's folder: the social-media documents refer to ../common beside them.</summary>
    private static string TrustedFolder => Path.Combine(Folder, "examples");

    private static void SkipWithoutFixtures() =>
        // The examples come from outside the repository; a clone without them skips these tests and says where they belong.
        Assert.SkipUnless(File.Exists(Expect),
            $"Needs the AsyncAPI 3.0.0 examples with their EXPECT file in {Folder} (shared/fixtures/asyncapi beside the checkout, or {RepositoryLayout.FixturesVariable}=DIR naming another fixtures folder), which is not there.");

    /// <summary>EXPECT's lines: file, valid|invalid, why.</summary>
    private static IReadOnlyList<(string File, bool Valid, string Why)> Verdicts() =>
        [.. File.ReadLines(Expect)
            .Where(line => line.Trim().Length > 0 && !line.TrimStart().StartsWith('#'))
            .Select(line => line.Split((char[]?)null, 3, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(parts => (parts[0], parts[1] switch
            {
                "valid" => true,
                "invalid" => false,
                var other => throw new InvalidDataException($"EXPECT: '{parts[0]}' has the verdict '{other}', neither valid nor invalid."),
            }, parts.Length > 2 ? parts[2] : ""))];

    public static TheoryData<string> ExampleFiles()
    {
        // Without the fixtures one row stands for all, so the skip (and its reason) is reported.
        var data = new TheoryData<string>();
        foreach (var file in File.Exists(Expect) ? Verdicts().Select(v => v.File) : ["(fixtures absent)"])
        {
            data.Add(file);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void Example_IsReadAsItsOfficialVerdictSays(string file)
    {
        SkipWithoutFixtures();
        var (_, valid, why) = Verdicts().Single(v => v.File == file);

        var (result, parseError) = ReadExample(file);

        if (valid)
        {
            Assert.True(parseError is null && result!.Errors.Count == 0 && result.Document is not null,
                $"{file} is valid ({why}) but was refused:\n{string.Join("\n", parseError is null ? result!.Errors : [parseError])}");
            foreach (var message in result.Document.Channels.SelectMany(c => c.Messages).Where(m => m.NotChecked is null))
            {
                // Every payload read as JSON Schema is one the validator accepts.
                Assert.NotNull(message.Schema);
            }
        }
        else
        {
            var errors = parseError is null ? result!.Errors : [parseError];
            Assert.True(errors.Count > 0, $"{file} is invalid ({why}) but was read without error.");
            Assert.All(errors, e => Assert.True(e.Location.Line > 0 && e.Message.Length > 0, $"{e} names no rule or place."));
        }
    }

    /// <summary>Every document in the folder has a verdict, so a new example cannot go untested.</summary>
    [Fact]
    public void Expect_GivesAVerdictForEveryDocumentInTheFolder()
    {
        SkipWithoutFixtures();
        var documents = Directory.EnumerateFiles(TrustedFolder, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetExtension(f) is ".yml" or ".yaml" or ".json" && File.ReadLines(f).Any(l => l.StartsWith("asyncapi:", StringComparison.Ordinal) || l.Contains("\"asyncapi\"", StringComparison.Ordinal)))
            .Select(f => Path.GetRelativePath(Folder, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal);

        Assert.Equal(documents, Verdicts().Select(v => v.File).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Examples_MultiFileAndMultiFormatPayloads_AreReadAsWritten()
    {
        SkipWithoutFixtures();

        var backend = ReadExample("examples/social-media/backend/asyncapi.yaml").Result!;
        var liked = backend.Document!.Channels.Single(c => c.Name == "notifyAllCommentLiked").Messages.Single();
        Assert.EndsWith(Path.Combine("common", "schemas.yaml"), liked.PayloadAt?.File, StringComparison.Ordinal);
        Assert.Empty(backend.Document.ValidatePayload("notifyAllCommentLiked", """{"commentId":"c1"}"""));
        Assert.NotEmpty(backend.Document.ValidatePayload("notifyAllCommentLiked", """{"commentId":"c1","extra":1}"""));

        var gitter = ReadExample("examples/gitter-streaming-asyncapi.yml").Result!;
        var chat = gitter.Document!.Channels.SelectMany(c => c.Messages).First(m => m.Name == "chatMessage");
        Assert.Equal("application/schema+yaml;version=draft-07", chat.PayloadFormat);
        Assert.Contains("\"text\"", chat.PayloadSchemaJson, StringComparison.Ordinal);

        var adeo = ReadExample("examples/adeo-kafka-request-reply-asyncapi.yml").Result!;
        Assert.Equal(2, adeo.NotChecked.Count);
        Assert.All(adeo.NotChecked, n => Assert.Contains("an Avro schema", n.Message, StringComparison.Ordinal));
    }

    /// <summary>What <c>mesh contract lint</c> answers for each example, its references reaching the examples folder: the official verdict.</summary>
    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void Example_LintGivesTheOfficialVerdict(string file)
    {
        SkipWithoutFixtures();
        var (_, valid, why) = Verdicts().Single(v => v.File == file);

        var result = Linting.DocumentLint.LintFile(Path.Combine(Folder, file), TrustedFolder);

        Assert.True(valid == (result.ExitCode == 0),
            $"{file} is {(valid ? "valid" : "invalid")} ({why}); lint exited {result.ExitCode}: {string.Join("; ", result.Findings.Select(f => f.Message))} {result.Unreadable}");
        Assert.StartsWith("AsyncAPI", result.Standard);
    }

    /// <summary>Where EXPECT says the official JSON Schema accepts an example, it does: the verdicts and the schema agree.</summary>
    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void Example_TheOfficialJsonSchemaAgreesWithExpect(string file)
    {
        SkipWithoutFixtures();
        var (_, valid, why) = Verdicts().Single(v => v.File == file);
        Assert.SkipUnless(valid && why.Contains("official 3.0.0 JSON Schema", StringComparison.Ordinal) && why.Contains("accept it", StringComparison.Ordinal),
            $"EXPECT does not say the official JSON Schema accepts {file} as written ({why}).");

        Assert.Empty(OfficialSchemaErrors(File.ReadAllText(Path.Combine(Folder, file))));
    }

    /// <summary>Documents the official JSON Schema refuses, the reader refuses too, naming the rule at file:line:column.</summary>
    [Theory]
    [InlineData("asyncapi: 3.0.0", "asyncapi: 2.6.0", "Only AsyncAPI 3.0.x", 1)]
    [InlineData("info:\n  title: Title events\n  version: 1.0.0\n", "", "'info' is required", 1)]
    [InlineData("  title: Title events\n", "", "'title' is required", 3)]
    [InlineData("address: content.title-added.v1", "address: [content, v1]", "'address' must be text", 7)]
    [InlineData("      payload:\n        $ref: '#/components/schemas/TitleAdded'", "      payload:\n        schemaFormat: application/schema+json;version=draft-07\n        schema: 42", "must be a mapping", 16)]
    public void Read_DocumentTheOfficialSchemaRefuses_IsRefusedWithTheRule(string replace, string with, string rule, int line)
    {
        SkipWithoutFixtures();
        var text = AsyncApiDocumentTests.Document.Replace(replace, with, StringComparison.Ordinal);
        Assert.NotEqual(AsyncApiDocumentTests.Document, text);
        Assert.Empty(OfficialSchemaErrors(AsyncApiDocumentTests.Document));

        Assert.NotEmpty(OfficialSchemaErrors(text));
        var error = Assert.Single(AsyncApiDocument.Read(text, "broken.yaml").Errors);
        Assert.Contains(rule, error.Message, StringComparison.Ordinal);
        Assert.Equal(line, error.Location.Line);
    }

    private static readonly Lazy<JsonSchema> OfficialSchema = new(() => JsonSchema.FromFile(Path.Combine(Folder, "schema", "asyncapi-3.0.0.schema.json")));

    /// <summary>The official schema's complaints about a document as written, its $refs unresolved.</summary>
    private static IReadOnlyList<string> OfficialSchemaErrors(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        using var json = JsonDocument.Parse(ToJson(stream.Documents[0].RootNode)!.ToJsonString());
        var result = OfficialSchema.Value.Evaluate(json.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return result.IsValid ? [] : [.. (result.Details ?? []).Where(d => d.Errors is not null).Select(d => $"{d.InstanceLocation}: {string.Join(", ", d.Errors!.Values)}")];
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode list => new JsonArray([.. list.Children.Select(ToJson)]),
        YamlScalarNode scalar => SchemaInliner.Scalar(scalar),
        _ => null,
    };

    private static (AsyncApiDocument.Result? Result, DocumentError? ParseError) ReadExample(string file)
    {
        try
        {
            return (AsyncApiDocument.ReadFile(Path.Combine(Folder, file), TrustedFolder, displayRelativeTo: Folder), null);
        }
        catch (DocumentParseException error)
        {
            return (null, error.Error);
        }
    }
}
