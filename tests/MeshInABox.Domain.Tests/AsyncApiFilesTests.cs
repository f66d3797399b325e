using MeshInABox.Domain.Documents;
using MeshInABox.Domain.Streams;

namespace MeshInABox.Domain.Tests;

/// <summary>Documents split over files, read through <see cref="AsyncApiDocument.ReadFile"/>, in a folder of their own.</summary>
public sealed class AsyncApiFilesTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("asyncapi-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private const string Header = """
        asyncapi: 3.0.0
        info:
          title: Title events
          version: 1.0.0

        """;

    private static string Channel(string message) => Header + $$"""
        channels:
          titleAdded:
            address: content.title-added.v1
            messages:
              titleAdded:
                {{message}}

        """;

    private string Write(string relative, string text)
    {
        var path = Path.Combine(_folder, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private AsyncApiDocument.Result Read(string root = "asyncapi.yaml", string? trusted = null) =>
        AsyncApiDocument.ReadFile(Path.Combine(_folder, root), trusted is null ? null : Path.Combine(_folder, trusted), displayRelativeTo: _folder);

    [Fact]
    public void ReadFile_RelativeAndPointerRefsAcrossFiles_AreResolvedAndChecked()
    {
        Write("asyncapi.yaml", Channel("$ref: 'common/messages.yaml#/TitleAdded'"));
        Write("common/messages.yaml", """
            TitleAdded:
              payload:
                $ref: './schemas/title.yaml'
            """);
        Write("common/schemas/title.yaml", """
            type: object
            required: [title_id, genre]
            properties:
              title_id: {type: string}
              genre:
                $ref: '../../asyncapi.yaml#/components/schemas/Genre'
            """);
        File.AppendAllText(Path.Combine(_folder, "asyncapi.yaml"), """
            components:
              schemas:
                Genre: {type: string, enum: [drama, comedy]}
            """);

        var result = Read();

        Assert.Empty(result.Errors);
        var message = Assert.Single(Assert.Single(result.Document!.Channels).Messages);
        Assert.Equal(["title_id", "genre"], message.RequiredFields);
        Assert.Equal(Path.Combine("common", "schemas", "title.yaml"), message.PayloadAt?.File);
        Assert.Empty(result.Document.ValidatePayload("titleAdded", """{"title_id":"tt1","genre":"drama"}"""));
        Assert.Contains(result.Document.ValidatePayload("titleAdded", """{"title_id":"tt1","genre":"horror"}"""), p => p.Contains("genre", StringComparison.Ordinal));
    }

    [Fact]
    public void ReadFile_RefCycleAcrossFiles_IsAnErrorNamingTheCycle()
    {
        Write("asyncapi.yaml", Channel("$ref: 'loop.yaml#/A'"));
        Write("loop.yaml", """
            A:
              $ref: '#/B'
            B:
              $ref: 'asyncapi.yaml#/components/messages/C'
            """);
        File.AppendAllText(Path.Combine(_folder, "asyncapi.yaml"), """
            components:
              messages:
                C:
                  $ref: 'loop.yaml#/A'
            """);

        var error = Assert.Single(Read().Errors);

        Assert.Contains("part of a cycle", error.Message, StringComparison.Ordinal);
        Assert.Contains("loop.yaml#/A → loop.yaml#/B → asyncapi.yaml#/components/messages/C → loop.yaml#/A", error.Message, StringComparison.Ordinal);
        Assert.Equal(new SourceLocation("asyncapi.yaml", 14, 7), error.Location);
        Assert.Contains("instead of a $ref", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadFile_RecursiveSchema_ReadsWithTheRecursivePartNotChecked()
    {
        Write("asyncapi.yaml", Channel("payload: {$ref: '#/components/schemas/Node'}") + """
            components:
              schemas:
                Node:
                  type: object
                  required: [name]
                  properties:
                    name: {type: string}
                    children:
                      type: array
                      items: {$ref: '#/components/schemas/Node'}
            """);

        var result = Read();

        Assert.Empty(result.Errors);
        Assert.Contains("contains it", Assert.Single(result.NotChecked).Message, StringComparison.Ordinal);
        Assert.Equal(["name"], Assert.Single(Assert.Single(result.Document!.Channels).Messages).RequiredFields);
        Assert.NotEmpty(result.Document.ValidatePayload("titleAdded", """{"children":[]}"""));
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("/etc/passwd#/root")]
    [InlineData("inner/../../outside.yaml")]
    public void ReadFile_RefOutsideTheDocumentsFolder_IsRefused(string reference)
    {
        Write("outside.yaml", "payload: {type: object}\n");
        Write("team/asyncapi.yaml", Channel($"$ref: '{reference}'"));

        var error = Assert.Single(Read(Path.Combine("team", "asyncapi.yaml")).Errors);

        Assert.Contains($"The $ref '{reference}' leads outside the folder", error.Message, StringComparison.Ordinal);
        Assert.Contains("Copy the file into that folder", error.Message, StringComparison.Ordinal);
        Assert.Equal(new SourceLocation(Path.Combine("team", "asyncapi.yaml"), 10, 9), error.Location);
    }

    [Fact]
    public void ReadFile_LinkLeadingOutsideTheFolder_IsRefused()
    {
        var outside = Write("outside.yaml", "TitleAdded:\n  payload: {type: object}\n");
        Write("team/asyncapi.yaml", Channel("$ref: 'linked.yaml#/TitleAdded'"));
        File.CreateSymbolicLink(Path.Combine(_folder, "team", "linked.yaml"), outside);

        var error = Assert.Single(Read(Path.Combine("team", "asyncapi.yaml")).Errors);

        Assert.Contains("it is a link to a file outside the folder", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadFile_TrustedFolderAboveTheDocument_ReachesItsSiblingFolders()
    {
        Write("common/messages.yaml", "TitleAdded:\n  payload: {type: object, required: [title_id]}\n");
        Write("team/asyncapi.yaml", Channel("$ref: '../common/messages.yaml#/TitleAdded'"));

        var result = Read(Path.Combine("team", "asyncapi.yaml"), trusted: ".");

        Assert.Empty(result.Errors);
        Assert.Equal(["title_id"], Assert.Single(Assert.Single(result.Document!.Channels).Messages).RequiredFields);
    }

    [Theory]
    [InlineData("https://example.com/schemas/title.json#/TitleAdded", "Save 'title.json' next to the document")]
    [InlineData("http://example.com/title.yaml", "fetches nothing over the network")]
    [InlineData("urn:example:title", "uses the scheme 'urn:'")]
    public void ReadFile_RemoteRef_IsAClearErrorOffline(string reference, string says)
    {
        Write("asyncapi.yaml", Channel($"$ref: '{reference}'"));

        var error = Assert.Single(Read().Errors);

        Assert.Contains($"The $ref '{reference}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("the platform reads only files beside the document", error.Message, StringComparison.Ordinal);
        Assert.Contains(says, error.Message, StringComparison.Ordinal);
        Assert.Equal(new SourceLocation("asyncapi.yaml", 10, 9), error.Location);
    }

    [Fact]
    public void ReadFile_MissingFileAndMissingPointer_SayWhatIsNotThere()
    {
        Write("asyncapi.yaml", Channel("$ref: 'messages.yaml#/TitleAdded'") + """
              other:
                address: other.v1
                messages:
                  m: {$ref: 'absent.yaml'}
            """);
        Write("messages.yaml", "Other: {payload: {type: object}}\n");

        var errors = Read().Errors;

        Assert.Contains(errors, e => e.Message.Contains("Cannot resolve $ref 'messages.yaml#/TitleAdded': 'messages.yaml' has no 'TitleAdded' at the top", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Message.Contains("The $ref 'absent.yaml' cannot be followed: the file does not exist", StringComparison.Ordinal) && e.Location.Line == 14);
    }

    [Fact]
    public void ReadFile_MalformedReferencedFile_IsReportedWhereItIsBroken()
    {
        Write("asyncapi.yaml", Channel("$ref: 'messages.yaml#/TitleAdded'"));
        Write("messages.yaml", "TitleAdded:\n  payload: [unclosed\n");

        var error = Assert.Single(Read().Errors);

        Assert.Equal("messages.yaml", error.Location.File);
        Assert.Contains("read for the $ref 'messages.yaml#/TitleAdded' at asyncapi.yaml:10:9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadFile_FilesDeeperThanTheLimit_AreRefused()
    {
        Write("asyncapi.yaml", Channel("payload: {$ref: 's0.yaml'}"));
        for (var i = 0; i <= AsyncApiLimits.MaxFileDepth; i++)
        {
            Write($"s{i}.yaml", $"type: object\nproperties:\n  next: {{$ref: 's{i + 1}.yaml'}}\n");
        }

        var error = Assert.Single(Read().Errors);

        Assert.Contains($"limit: file depth {AsyncApiLimits.MaxFileDepth}", error.Message, StringComparison.Ordinal);
        Assert.Equal($"s{AsyncApiLimits.MaxFileDepth - 1}.yaml", error.Location.File);
    }

    [Fact]
    public void ReadFile_MoreFilesThanTheLimit_AreRefused()
    {
        var properties = string.Concat(Enumerable.Range(0, AsyncApiLimits.MaxFiles).Select(i => $"\n            p{i}: {{$ref: 'p{i}.yaml'}}"));
        Write("asyncapi.yaml", Channel("payload:\n          type: object\n          properties:" + properties));
        for (var i = 0; i < AsyncApiLimits.MaxFiles; i++)
        {
            Write($"p{i}.yaml", "type: string\n");
        }

        var error = Assert.Single(Read().Errors);

        Assert.Contains($"limit: files {AsyncApiLimits.MaxFiles}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadFile_MissingRootFile_IsAParseErrorNamingIt()
    {
        var error = Assert.Throws<DocumentParseException>(() => Read("nothing.yaml"));

        Assert.Equal("nothing.yaml", error.Error.Location.File);
        Assert.Contains("the file does not exist", error.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TextWithARefToAnotherFile_SaysToReadItFromItsFile()
    {
        var error = Assert.Single(AsyncApiDocument.Read(Channel("$ref: 'messages.yaml#/TitleAdded'"), "a.yaml").Errors);

        Assert.Contains("was given as text", error.Message, StringComparison.Ordinal);
        Assert.Equal(new SourceLocation("a.yaml", 10, 9), error.Location);
    }
}
