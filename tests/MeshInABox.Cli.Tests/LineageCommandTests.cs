using System.Text.Json;
using MeshInABox.Testing;

namespace MeshInABox.Cli.Tests;

public sealed class LineageCommandTests : IDisposable
{
    private readonly string _root = TemporaryDirectory.Create("mesh-lineage-");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string PopularTitles => Path.Combine(RepositoryLayout.SampleMesh, "content", "popular-titles", "sql", "popular_titles.sql");

    private string Statement(string sql)
    {
        var file = Path.Combine(_root, $"statement-{Guid.NewGuid():N}.sql");
        File.WriteAllText(file, sql);
        return file;
    }

    [Fact]
    public async Task Lineage_SampleTransform_AsJson_ExitsZero_WithSourcesAndColumns()
    {
        var ct = TestContext.Current.CancellationToken;

        var (exitCode, output, error) = await MeshProcess.RunAsync(_root, ct, "lineage", "--format", "json", "--catalog", RepositoryLayout.SampleMesh, PopularTitles);

        Assert.True(exitCode == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(JsonValueKind.Null, root.GetProperty("target").ValueKind);
        Assert.Equal(["content.catalogue.titles", "content.viewing_sessions.sessions"], root.GetProperty("sources").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(["content.catalogue.titles.title"], root.GetProperty("columns").GetProperty("title").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("AGGREGATION", root.GetProperty("edges").GetProperty("minutes_watched")[0].GetProperty("subtype").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task Lineage_InsertAsTable_NamesTargetAndEdges()
    {
        var ct = TestContext.Current.CancellationToken;
        var file = Statement("CREATE TABLE content.catalogue.short_titles AS SELECT title_id, upper(title) AS title FROM catalogue.titles WHERE title_id < 'tt5'");

        var (exitCode, output, error) = await MeshProcess.RunAsync(_root, ct, "lineage", "--domain", "content", "--catalog", RepositoryLayout.SampleMesh, file);

        Assert.True(exitCode == 0, error);
        Assert.Contains("target:  content.catalogue.short_titles", output);
        Assert.Contains("title <- content.catalogue.titles.title DIRECT/TRANSFORMATION", output);
    }

    [Fact]
    public async Task Lineage_SyntaxError_ExitsOne_WithDuckDbsMessageAndPosition()
    {
        var ct = TestContext.Current.CancellationToken;
        var file = Statement("SELECT title FROM content.catalogue.titles WHERE");

        var (exitCode, output, _) = await MeshProcess.RunAsync(_root, ct, "lineage", "--format", "json", "--catalog", RepositoryLayout.SampleMesh, file);

        Assert.Equal(1, exitCode);
        using var json = JsonDocument.Parse(output);
        Assert.Contains("syntax error", json.RootElement.GetProperty("error").GetString());
        Assert.Equal(48, json.RootElement.GetProperty("position").GetInt32());
        Assert.Empty(json.RootElement.GetProperty("sources").EnumerateArray());
    }

    [Fact]
    public async Task Lineage_UnknownTable_ExitsOne_SayingItIsNotInTheCatalog()
    {
        var ct = TestContext.Current.CancellationToken;
        var file = Statement("SELECT * FROM content.catalogue.missing");

        var (exitCode, _, error) = await MeshProcess.RunAsync(_root, ct, "lineage", "--catalog", RepositoryLayout.SampleMesh, file);

        Assert.Equal(1, exitCode);
        Assert.Contains("content.catalogue.missing is not in the catalog", error);
    }

    [Fact]
    public async Task Lineage_UnreadableInput_ExitsTwo()
    {
        var ct = TestContext.Current.CancellationToken;

        var (exitCode, _, error) = await MeshProcess.RunAsync(_root, ct, "lineage", "--catalog", RepositoryLayout.SampleMesh, Path.Combine(_root, "absent.sql"));

        Assert.Equal(2, exitCode);
        Assert.Contains("absent.sql", error);
    }
}
