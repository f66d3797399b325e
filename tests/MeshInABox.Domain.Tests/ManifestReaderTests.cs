using MeshInABox.Domain.Documents;
using MeshInABox.Domain.Products;

namespace MeshInABox.Domain.Tests;

public sealed class ManifestReaderTests
{
    [Fact]
    public void Read_JsonAndYaml_GiveTheSameManifest()
    {
        var json = ManifestReader.Read(Fixtures.Manifest, "dataproduct.json").Manifest!;
        var yaml = ManifestReader.Read("""
            id: content.catalogue
            name: Content Catalogue
            domain: content
            owner: team-yellow
            description: Every title Messflix streams, with genre and release year.
            businessUnit: streaming
            tags: [content]
            classification: open
            status: active
            outputs:
              - name: titles
                kind: csv
                location: data/titles.csv
                contract: titles.odcs.yaml
            """, "dataproduct.yaml").Manifest!;

        Assert.Equal((json.Id, json.Classification, json.Status, json.Outputs[0].Kind, json.Outputs[0].Location),
            (yaml.Id, yaml.Classification, yaml.Status, yaml.Outputs[0].Kind, yaml.Outputs[0].Location));
        Assert.Equal(Classification.Open, json.Classification);
        Assert.Equal(new SourceLocation("dataproduct.json", 11, 15), json.Outputs[0].At);
    }

    [Fact]
    public void Read_BadFields_AreEachReportedWithTheirPosition()
    {
        var text = """
            {
              "id": "content.catalogue",
              "name": "Content Catalogue",
              "domain": "content",
              "desription": "typo",
              "classification": "secret",
              "outputs": [{ "name": "titles", "kind": "parquet" }, "oops"]
            }
            """;

        var result = ManifestReader.Read(text, "dataproduct.json");

        Assert.Null(result.Manifest);
        var errors = result.Errors.Select(e => (e.Location.Line, e.Message)).ToList();
        Assert.Contains(errors, e => e.Line == 1 && e.Message == "'owner' is required.");
        Assert.Contains(errors, e => e.Line == 5 && e.Message.StartsWith("Unknown field 'desription'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Line == 6 && e.Message.Contains("'secret' is not a valid classification: use one of open, restricted"));
        Assert.Contains(errors, e => e.Line == 7 && e.Message.Contains("'parquet' is not a valid kind"));
        Assert.Contains(errors, e => e.Line == 7 && e.Message.Contains("Expected a mapping, found 'oops'"));
    }

    [Fact]
    public void Read_NamesBreakingTheMeshRules_AreReportedAtTheirLine()
    {
        var text = $$"""
            {
              "id": "content.catalogue",
              "name": "{{new string('n', 300)}}",
              "domain": "Content",
              "owner": "Team Yellow",
              "tags": ["ok", "Not a tag"],
              "outputs": [{ "name": "../../x", "kind": "csv" }]
            }
            """;

        var errors = ManifestReader.Read(text, "dataproduct.json").Errors.Select(e => (e.Location.Line, e.Path)).ToList();

        Assert.Equal([(3, "name"), (4, "domain"), (5, "owner"), (6, "tags"), (7, "outputs.name")], errors);
    }

    [Theory]
    [InlineData("{\n  \"id\": \"a.b\",\n  \"name\": \"x\",\n}", 4, 1)]
    [InlineData("{\n  \"id\": \"a.b\"\n  \"name\": \"x\"\n}", 3, 3)]
    [InlineData("[1, 2]", 1, 1)]
    [InlineData("", 1, 1)]
    public void Read_MalformedJson_IsPositioned(string text, int line, int column)
    {
        var error = Assert.Throws<DocumentParseException>(() => ManifestReader.Read(text, "dataproduct.json"));

        Assert.Equal((line, column), (error.Error.Location.Line, error.Error.Location.Column));
    }
}
