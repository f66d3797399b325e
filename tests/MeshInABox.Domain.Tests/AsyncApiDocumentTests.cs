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

    private static string MultiFormat(string schemaFormat, string required) => Document.Replace(
        """
              payload:
                $ref: '#/components/schemas/TitleAdded'
        """,
        $$"""
              payload:
                schemaFormat: '{{schemaFormat}}'
                schema:
                  $ref: '#/components/schemas/TitleAdded'
        """).Replace("required: [title_id, genre]", $"required: [{required}]");

    [Theory]
    [InlineData("application/vnd.aai.asyncapi+yaml;version=3.0.0")]
    [InlineData("application/vnd.aai.asyncapi;version=3.0.0")]
    [InlineData("application/schema+json;version=draft-07")]
    [InlineData("application/schema+yaml;version=draft-07")]
    public void Read_MultiFormatJsonSchemaPayload_ReadsTheSchemaAndItsRequiredFields(string schemaFormat)
    {
        var result = AsyncApiDocument.Read(MultiFormat(schemaFormat, "title_id, genre"), "a.yaml");

        Assert.Empty(result.Errors);
        Assert.Empty(result.NotChecked);
        var message = Assert.Single(Assert.Single(result.Document!.Channels).Messages);
        Assert.Equal(["title_id", "genre"], message.RequiredFields);
        Assert.Equal(schemaFormat, message.PayloadFormat);
        Assert.Contains(result.Document.ValidatePayload("titleAdded", """{"genre":"drama"}"""), p => p.Contains("title_id", StringComparison.Ordinal));
    }

    [Fact]
    public void StreamContract_MultiFormatPayload_ItsRequiredListIsComparedWithTheContract()
    {
        var manifest = Fixtures.Manifest.Replace(
            "{ \"name\": \"titles\", \"kind\": \"csv\", \"location\": \"data/titles.csv\", \"contract\": \"titles.odcs.yaml\" }",
            "{ \"name\": \"titles\", \"kind\": \"kafka\", \"contract\": \"titles.odcs.yaml\", \"streamContract\": \"events.asyncapi.yaml\" }");
        const string format = "application/vnd.aai.asyncapi+yaml;version=3.0.0";

        var good = Fixtures.Review(manifest, asyncApi: MultiFormat(format, "title_id, genre"));
        var loose = Fixtures.Review(manifest, asyncApi: MultiFormat(format, "genre"));

        Assert.Empty(Fixtures.Check("stream-contract", good));
        Assert.Contains("does not require 'title_id'", Assert.Single(Fixtures.Check("stream-contract", loose)).Message);
    }

    [Theory]
    [InlineData("application/vnd.apache.avro;version=1.9.0", "an Avro schema")]
    [InlineData("application/vnd.apache.avro+json;version=1.9.0", "an Avro schema")]
    [InlineData("application/vnd.google.protobuf;version=3", "a Protobuf schema")]
    [InlineData("application/schema+json;version=2020-12", "JSON Schema 2020-12")]
    public void Read_PayloadInAnotherSchemaLanguage_IsReportedAsNotChecked(string schemaFormat, string named)
    {
        // Avro's record is not JSON Schema: read as one, its 'fields' would be ignored and anything would pass.
        var text = Document.Replace(
            """
                  payload:
                    $ref: '#/components/schemas/TitleAdded'
            """,
            $$$"""
                  payload:
                    schemaFormat: '{{{schemaFormat}}}'
                    schema:
                      type: record
                      name: TitleAdded
                      fields:
                        - {name: title_id, type: string}
                        - {name: remote, type: {$ref: 'https://example.com/Genre.avsc'}}
            """);

        var result = AsyncApiDocument.Read(text, "a.yaml");

        Assert.Empty(result.Errors);
        var note = Assert.Single(result.NotChecked);
        Assert.Contains("The payload of message 'titleAdded' is not checked", note.Message, StringComparison.Ordinal);
        Assert.Contains(named, note.Message, StringComparison.Ordinal);
        Assert.Equal(new Documents.SourceLocation("a.yaml", 15, 9), note.Location);
        var message = Assert.Single(Assert.Single(result.Document!.Channels).Messages);
        Assert.Empty(message.RequiredFields);
        Assert.Contains("cannot be checked", Assert.Single(result.Document.ValidatePayload("titleAdded", """{"title_id":"tt1"}""")), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MultiFormatPayloadWithoutSchemaFormat_IsTheAsyncApiSchema()
    {
        var text = Document.Replace("      payload:\n        $ref: '#/components/schemas/TitleAdded'", "      payload:\n        schema:\n          $ref: '#/components/schemas/TitleAdded'");

        var result = AsyncApiDocument.Read(text, "a.yaml");

        Assert.Empty(result.Errors);
        Assert.Equal(["title_id", "genre"], Assert.Single(Assert.Single(result.Document!.Channels).Messages).RequiredFields);
    }

    [Fact]
    public void Read_MultiFormatPayloadWithoutSchema_SaysToMoveTheSchemaUnderIt()
    {
        var text = Document.Replace("      payload:\n        $ref: '#/components/schemas/TitleAdded'", "      payload:\n        schemaFormat: application/schema+json;version=draft-07\n        type: object");

        var error = Assert.Single(AsyncApiDocument.Read(text, "a.yaml").Errors);

        Assert.Contains("needs 'schema' beside it", error.Message, StringComparison.Ordinal);
        Assert.Equal(15, error.Location.Line);
    }

    [Fact]
    public void Read_PayloadWithAllOf_RequiresTheFieldsOfEveryPart()
    {
        var text = Document.Replace("      required: [title_id, genre]", "      allOf:\n        - required: [title_id]\n        - $ref: '#/components/schemas/Genre'")
            + "\n    Genre:\n      required: [genre]\n";

        var result = AsyncApiDocument.Read(text, "a.yaml");

        Assert.Empty(result.Errors);
        Assert.Equal(["title_id", "genre"], Assert.Single(Assert.Single(result.Document!.Channels).Messages).RequiredFields);
    }
}
