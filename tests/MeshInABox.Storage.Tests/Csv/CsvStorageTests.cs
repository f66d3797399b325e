using MeshInABox.ServiceDefaults.Locations;
using MeshInABox.Storage.Csv;
using MeshInABox.Storage.Provisioning;
using MeshInABox.Storage.Tests.Lakehouse;
using MeshInABox.Testing;

namespace MeshInABox.Storage.Tests.Csv;

public sealed class CsvStorageTests : IDisposable
{
    private const string Header = "impression_id,shown_at,campaign_id,title_id,placement,audience_segment,clicked,cost_eur";
    private readonly string _root = TemporaryDirectory.Create("mesh-storage-csv-");

    public CsvStorageTests() => Directory.CreateDirectory(Product);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Repository => Path.Combine(_root, "mesh");

    private string Product => Path.Combine(Repository, "advertising", "ad-impressions");

    private string Outside => Directory.CreateDirectory(Path.Combine(_root, "outside")).FullName;

    private static StorageTarget Target(string? path = null) =>
        Targets.Impressions("csv", path is null ? null : new Dictionary<string, string> { ["path"] = path });

    private Task<ProvisioningReport> Run(StorageTarget target, int? stopAfter = null) =>
        new CsvStorage(Repository) { StopAfter = stopAfter }.ReconcileAsync(target, TestContext.Current.CancellationToken);

    [Fact]
    public async Task Reconcile_NewOutput_CreatesTheFolderAndAHeaderOnlyFileThenChangesNothing()
    {
        var first = await Run(Target());
        var second = await Run(Target());

        Assert.Equal([("folder", StepOutcome.Changed), ("file", StepOutcome.Changed)], first.Steps.Select(s => (s.Step, s.Outcome)));
        Assert.Equal(0, second.Changes);
        var file = Path.Combine(Product, "data", "impressions.csv");
        Assert.Equal(Header + "\n", File.ReadAllText(file));
        Assert.Equal(file, second.Location!["path"]);
        // The registry and the query service check the location with ProductFolders: it must pass as it is.
        Assert.Equal(file, ProductFolders.Resolve(file, "advertising", "ad-impressions", [Repository], out var reason));
        Assert.Null(reason);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Reconcile_StoppedAfterAStep_TheNextRunEndsWhereAnUninterruptedOneDoes(int stopAfter)
    {
        var stopped = await Run(Target("exports/daily/impressions.csv"), stopAfter);
        var resumed = await Run(Target("exports/daily/impressions.csv"));

        Assert.Equal(stopAfter, stopped.Steps.Count);
        Assert.Null(stopped.Location);
        Assert.Equal(Enumerable.Repeat(StepOutcome.Changed, 2 - stopAfter), resumed.Steps.Skip(stopAfter).Select(s => s.Outcome));
        Assert.Equal(["exports/daily/impressions.csv"], Files());
        Assert.Equal(Header + "\n", File.ReadAllText(Path.Combine(Product, "exports", "daily", "impressions.csv")));
    }

    [Fact]
    public async Task Reconcile_FileExists_IsNeverOverwritten()
    {
        var file = Path.Combine(Product, "data", "impressions.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, "id,other\n1,2\n");

        var report = await Run(Target());

        Assert.Equal(0, report.Changes);
        Assert.Contains("its header row differs from the contract's", report.Steps[^1].Detail);
        Assert.Equal("id,other\n1,2\n", File.ReadAllText(file));
    }

    [Theory]
    [InlineData("/etc/passwd", "path: '/etc/passwd' is absolute; give the file relative to the product's folder, e.g. data/orders.csv.")]
    [InlineData("../other-product/data.csv", "path: '../other-product/data.csv' holds '..'; a product's file stays inside the product's folder.")]
    [InlineData("data/../../x.csv", "path: 'data/../../x.csv' holds '..'; a product's file stays inside the product's folder.")]
    [InlineData("data\\x.csv", "path: 'data\\x.csv' holds '\\'; separate folders with '/'.")]
    [InlineData("~/x.csv", "path: '~/x.csv' is absolute; give the file relative to the product's folder, e.g. data/orders.csv.")]
    [InlineData("data/", "path: 'data/' names a folder, not a file.")]
    [InlineData(" ", "path: the path is empty; give a file in the product's folder, e.g. data/orders.csv.")]
    public async Task Check_HostilePath_IsRefusedAndNothingIsCreated(string path, string message)
    {
        var storage = new CsvStorage(Repository);

        var errors = storage.Check(Targets.Spec("csv", ("path", path)));
        var report = await Run(Target(path));

        Assert.Equal([message], errors);
        Assert.True(report.Failed);
        Assert.Empty(Files());
    }

    [Fact]
    public void Check_UnknownParameter_IsRefused()
    {
        var errors = new CsvStorage(Repository).Check(Targets.Spec("csv", ("delimiter", ";")));

        Assert.Equal(["delimiter: not a parameter of the csv template; it takes path."], errors);
    }

    [Fact]
    public async Task Reconcile_FolderLinkPointingOutside_IsRefusedAndNothingIsWrittenThere()
    {
        Directory.CreateSymbolicLink(Path.Combine(Product, "data"), Outside);

        var report = await Run(Target());

        Assert.Equal(("folder", StepOutcome.Failed), (report.Steps.Single().Step, report.Steps.Single().Outcome));
        Assert.Contains("leads outside the product's folder", report.Steps.Single().Detail);
        Assert.Null(report.Location);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Outside));
    }

    [Fact]
    public async Task Reconcile_FileLinkPointingOutside_IsRefusedEvenWhenItsTargetIsMissing()
    {
        Directory.CreateDirectory(Path.Combine(Product, "data"));
        File.CreateSymbolicLink(Path.Combine(Product, "data", "impressions.csv"), Path.Combine(Outside, "stolen.csv"));

        var report = await Run(Target());

        Assert.True(report.Failed);
        Assert.False(File.Exists(Path.Combine(Outside, "stolen.csv")));
    }

    [Fact]
    public async Task Reconcile_ProductFolderIsALinkOutside_IsRefusedAsTheRegistryWould()
    {
        Directory.Delete(Product);
        Directory.CreateSymbolicLink(Product, Outside);

        var report = await Run(Target());

        Assert.True(report.Failed);
        Assert.Null(ProductFolders.Resolve(Path.Combine(Product, "data", "impressions.csv"), "advertising", "ad-impressions", [Repository], out _));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Outside));
    }

    [Fact]
    public async Task Reconcile_LinkInsideTheProductFolder_IsFollowedAndTheLocationIsItsTarget()
    {
        Directory.CreateDirectory(Path.Combine(Product, "files"));
        Directory.CreateSymbolicLink(Path.Combine(Product, "data"), "files");

        var report = await Run(Target());

        var file = Path.Combine(Product, "files", "impressions.csv");
        Assert.False(report.Failed);
        Assert.Equal(file, report.Location!["path"]);
        Assert.Equal(file, ProductFolders.Resolve(Path.Combine(Product, "data", "impressions.csv"), "advertising", "ad-impressions", [Repository], out _));
    }

    private List<string> Files() =>
        [.. Directory.EnumerateFiles(Repository, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Product, f)).Order(StringComparer.Ordinal)];
}
