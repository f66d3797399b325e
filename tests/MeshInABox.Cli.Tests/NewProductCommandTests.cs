using System.Text.Json;
using MeshInABox.Domain.Products;
using MeshInABox.Testing;

namespace MeshInABox.Cli.Tests;

/// <summary><c>mesh new product</c>: what it writes passes <c>mesh validate</c> as it is; what it refuses leaves nothing behind.</summary>
public sealed class NewProductCommandTests : IDisposable
{
    private readonly string _root = TemporaryDirectory.Create("mesh-new-");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    public static TheoryData<string, string, string[]> Templates => new()
    {
        { "postgres", "subscriptions/churn-scores", ["dataproduct.json", "contracts/churn_scores.odcs.yaml", "README.md"] },
        { "lakehouse", "advertising/ad-spend", ["dataproduct.json", "contracts/ad_spend.odcs.yaml", "README.md"] },
        { "csv", "content/title-ratings", ["dataproduct.json", "contracts/title_ratings.odcs.yaml", "data/title_ratings.csv", "README.md"] },
        { "kafka", "advertising/ad-clicks", ["dataproduct.json", "contracts/ad_clicks.odcs.yaml", "contracts/ad_clicks.asyncapi.yaml", "README.md"] },
    };

    [Theory]
    [MemberData(nameof(Templates))]
    public async Task NewProduct_InTheSampleMesh_ValidatesCleanAndIsChecked(string template, string product, string[] files)
    {
        var ct = TestContext.Current.CancellationToken;
        var mesh = RepositoryLayout.CopySampleMesh(Path.Combine(_root, "mesh"));
        var before = JsonDocument.Parse((await MeshProcess.RunAsync(_root, ct, "validate", mesh, "--format", "json")).Output).RootElement;

        var created = await MeshProcess.RunAsync(_root, ct, "new", "product", product, "--template", template, "--repo", mesh);
        var validated = await MeshProcess.RunAsync(_root, ct, "validate", mesh, "--format", "json");

        Assert.True(created.ExitCode == 0, created.Error);
        var folder = Path.Combine(mesh, product);
        Assert.Equal(files.Order(StringComparer.Ordinal), Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/')).Order(StringComparer.Ordinal));
        Assert.Equal(0, validated.ExitCode);
        var report = JsonDocument.Parse(validated.Output).RootElement;
        Assert.Equal(before.GetProperty("products").GetInt32() + 1, report.GetProperty("products").GetInt32());
        Assert.True(report.GetProperty("rulesEvaluated").GetInt32() > before.GetProperty("rulesEvaluated").GetInt32());
        Assert.Empty(report.GetProperty("findings").EnumerateArray());
        Assert.Empty(Directory.EnumerateDirectories(Path.GetDirectoryName(folder)!, ".*"));
    }

    public static TheoryData<string, string, Dictionary<string, string>> StorageDefaults => new()
    {
        { "postgres", "subscriptions/churn-scores", new() },
        { "lakehouse", "advertising/ad-spend", new() { ["partitionBy"] = "day" } },
        { "csv", "content/title-ratings", new() { ["path"] = "data/title_ratings.csv" } },
        { "kafka", "advertising/ad-clicks", new() { ["partitions"] = "3", ["retention"] = "7d" } },
    };

    [Theory]
    [MemberData(nameof(StorageDefaults))]
    public async Task NewProduct_Manifest_ReadsBackWithTheTemplateAndItsDefaults(string template, string product, Dictionary<string, string> parameters)
    {
        var ct = TestContext.Current.CancellationToken;
        var mesh = RepositoryLayout.CopySampleMesh(Path.Combine(_root, "mesh"));

        var (exitCode, _, error) = await MeshProcess.RunAsync(_root, ct, "new", "product", product, "--template", template, "--repo", mesh,
            "--owner", "team-gray", "--description", "Money spent on each campaign, per day, for the finance team.", "--classification", "restricted");

        Assert.True(exitCode == 0, error);
        var read = ManifestReader.Read(await File.ReadAllTextAsync(Path.Combine(mesh, product, "dataproduct.json"), ct), "dataproduct.json");
        Assert.Empty(read.Errors);
        var manifest = read.Manifest!;
        var slug = product[(product.IndexOf('/') + 1)..];
        Assert.Equal(product.Replace('/', '.'), manifest.Id);
        Assert.Equal(("team-gray", "Money spent on each campaign, per day, for the finance team.", Classification.Restricted),
            (manifest.Owner, manifest.Description, manifest.Classification));
        var output = Assert.Single(manifest.Outputs);
        Assert.Equal(slug.Replace('-', '_'), output.Name);
        Assert.Equal(OutputStorage.TemplateFor(output.Kind), template);
        Assert.Equal(template, output.Storage!.Template);
        Assert.Equal(parameters, output.Storage.Parameters);
    }

    [Fact]
    public async Task NewProduct_NoOptions_DefaultsToTheCurrentDirectoryAndTheDomainsTeam()
    {
        var ct = TestContext.Current.CancellationToken;
        var mesh = RepositoryLayout.CopySampleMesh(Path.Combine(_root, "mesh"));

        using var process = MeshProcess.Start(_root, mesh, asBackgroundJob: false, "new", "product", "content/title-ratings", "--template", "csv");
        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(60), ct);

        Assert.True(exitCode == 0, process.Error);
        var manifest = ManifestReader.Read(await File.ReadAllTextAsync(Path.Combine(mesh, "content", "title-ratings", "dataproduct.json"), ct), "dataproduct.json").Manifest!;
        Assert.Equal(("team-content", Classification.Open), (manifest.Owner, manifest.Classification));
        Assert.Contains("mesh validate", process.Output);
    }

    public static TheoryData<string[], string> Refusals => new()
    {
        { ["content/catalogue", "--template", "csv"], "content/catalogue exists already" },
        { ["Content/title-ratings", "--template", "csv"], "'Content' is not a domain" },
        { ["content/Title_Ratings", "--template", "csv"], "'Title_Ratings' is not a product name part" },
        { ["content/title--ratings", "--template", "csv"], "'title--ratings' is not a product name part" },
        { ["content", "--template", "csv"], "'content' is not <domain>/<name>" },
        { ["content/title-ratings/extra", "--template", "csv"], "is not <domain>/<name>" },
        { ["content/" + new string('a', 31), "--template", "csv"], "is 31 characters long" },
        { ["content/title-ratings", "--template", "parquet"], "'parquet' is not a storage template: use postgres, lakehouse, csv, kafka." },
        { ["content/title-ratings", "--template", "csv", "--classification", "secret"], "'secret' is not a classification" },
        { ["content/title-ratings", "--template", "csv", "--owner", "Team Yellow"], "'Team Yellow' is not an owner" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task NewProduct_BrokenRule_IsRefusedWithExitTwoAndNothingWritten(string[] arguments, string message)
    {
        var ct = TestContext.Current.CancellationToken;
        var mesh = RepositoryLayout.CopySampleMesh(Path.Combine(_root, "mesh"));
        var before = Listing(mesh);

        var (exitCode, output, error) = await MeshProcess.RunAsync(_root, ct, ["new", "product", .. arguments, "--repo", mesh]);

        Assert.Equal(2, exitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Equal("", output);
        Assert.Equal(before, Listing(mesh));
    }

    [Fact]
    public async Task NewProduct_FolderThatIsNotAMeshRepository_IsRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        var mesh = RepositoryLayout.CopySampleMesh(Path.Combine(_root, "mesh"));
        var empty = Directory.CreateDirectory(Path.Combine(_root, "empty")).FullName;
        var before = Listing(mesh);

        var inEmpty = await MeshProcess.RunAsync(_root, ct, "new", "product", "content/title-ratings", "--template", "csv", "--repo", empty);
        var inDomain = await MeshProcess.RunAsync(_root, ct, "new", "product", "content/title-ratings", "--template", "csv", "--repo", Path.Combine(mesh, "content"));
        var missing = await MeshProcess.RunAsync(_root, ct, "new", "product", "content/title-ratings", "--template", "csv", "--repo", Path.Combine(_root, "absent"));

        Assert.Equal((2, 2, 2), (inEmpty.ExitCode, inDomain.ExitCode, missing.ExitCode));
        Assert.Contains($"{empty} is not a mesh repository", inEmpty.Error, StringComparison.Ordinal);
        Assert.Contains("is not a mesh repository", inDomain.Error, StringComparison.Ordinal);
        Assert.Contains("is not a mesh repository", missing.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(empty));
        Assert.False(Directory.Exists(Path.Combine(_root, "absent")));
        Assert.Equal(before, Listing(mesh));
    }

    [Fact]
    public async Task NewProduct_NewDomain_IsCreatedWithIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var mesh = RepositoryLayout.CopySampleMesh(Path.Combine(_root, "mesh"));

        var created = await MeshProcess.RunAsync(_root, ct, "new", "product", "billing/invoices", "--template", "postgres", "--repo", mesh);
        var validated = await MeshProcess.RunAsync(_root, ct, "validate", mesh);

        Assert.True(created.ExitCode == 0, created.Error);
        Assert.True(File.Exists(Path.Combine(mesh, "billing", "invoices", "dataproduct.json")));
        Assert.True(validated.ExitCode == 0, validated.Output);
    }

    private static List<string> Listing(string root) =>
        [.. Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Select(e => Path.GetRelativePath(root, e)).Order(StringComparer.Ordinal)];
}
