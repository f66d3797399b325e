using MeshInABox.Domain.Streams;

namespace MeshInABox.Domain.Tests;

public sealed class AsyncApiDocumentTests
{
    public const string Document = """
        asyncapi: 3.0.0
        info:
          title: Title events
          version: 1.0.0
        channels:
          titleAdded:
            address: content.title-added.v1
            messages:
              titleAdded:
                $ref: '#/components/messages/TitleAdded'
        components:
          messages:
            TitleAdded:
              payload:
                $ref: '#/components/schemas/TitleAdded'
          schemas:
            TitleAdded:
              type: object
              required: [title_id, genre]
              properties:
                title_id:
                  type: string
                genre:
                  type: string
                  enum: [drama, comedy]
                release_year:
                  type: integer
        """;

    [Fact]
    public void Read_ValidDocument_ResolvesRefsToChannelsMessagesAndRequiredFields()
    {
        var result = AsyncApiDocument.Read(Document, "a.yaml");

        Assert.Empty(result.Errors);
        var channel = Assert.Single(result.Document!.Channels);
        Assert.Equal("content.title-added.v1", channel.Address);
        Assert.Equal(["title_id", "genre"], Assert.Single(channel.Messages).RequiredFields);
    }

    [Fact]
    public void ValidatePayload_ConformingMessage_HasNoProblems()
    {
        var document = AsyncApiDocument.Read(Document, "a.yaml").Document!;

        Assert.Empty(document.ValidatePayload("titleAdded", """{"title_id":"tt1","genre":"drama","release_year":1999}"""));
    }

    [Theory]
    [InlineData("""{"genre":"drama"}""", "title_id")]
    [InlineData("""{"title_id":"tt1","genre":"horror"}""", "genre")]
    [InlineData("""{"title_id":"tt1","genre":"drama","release_year":"1999"}""", "release_year")]
    [InlineData("""{"title_id":""", "not JSON")]
    public void ValidatePayload_NonConformingMessage_SaysWhy(string payload, string mentions)
    {
        var document = AsyncApiDocument.Read(Document, "a.yaml").Document!;

        var problems = document.ValidatePayload("content.title-added.v1", payload);

        Assert.Contains(problems, p => p.Contains(mentions, StringComparison.Ordinal));
    }

    [Fact]
    public void Read_WrongVersionMissingChannelsAndBrokenRef_AreReported()
    {
        var text = Document.Replace("asyncapi: 3.0.0", "asyncapi: 2.6.0").Replace("#/components/schemas/TitleAdded", "#/components/schemas/Missing");

        var errors = AsyncApiDocument.Read(text, "a.yaml").Errors;

        Assert.Contains(errors, e => e.Message.Contains("Only AsyncAPI 3.0.x") && e.Location.Line == 1);
        Assert.Contains(errors, e => e.Message.Contains("Cannot resolve $ref '#/components/schemas/Missing'"));
        Assert.Contains(AsyncApiDocument.Read("asyncapi: 3.0.0\ninfo: {title: t, version: '1'}\n", "b.yaml").Errors, e => e.Message.Contains("at least one channel"));
    }
}
