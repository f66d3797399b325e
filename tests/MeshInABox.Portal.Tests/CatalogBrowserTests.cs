using MeshInABox.Cli.Loading;
using MeshInABox.Domain.Profiles;
using MeshInABox.Hosting;
using MeshInABox.Testing;
using Microsoft.Playwright;

namespace MeshInABox.Portal.Tests;

/// <summary>
/// A consumer's path through the catalog in Chromium: the embedded host at iteration-1 on a real PostgreSQL, the
/// messflix sample registered as <c>mesh up</c> does. Screenshots of each step land in the test output's screenshots folder.
/// </summary>
public sealed class CatalogBrowserTests : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";

    private readonly string _root = TemporaryDirectory.Create("mesh-portal-");
    private EmbeddedMesh _mesh = null!;
    private IPlaywright _playwright = null!;
    private IBrowserContext _browser = null!;

    public static string Screenshots { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async ValueTask InitializeAsync()
    {
        // Not a skip: CI installs Chromium, and a portal nobody looked at in a browser is not tested.
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run eng/install-prerequisites.sh (CI does), which installs Debian's chromium.");
        var ct = TestContext.Current.CancellationToken;
        var repository = RepositoryLayout.CopySampleMesh(Path.Combine(_root, "messflix"));
        _mesh = await EmbeddedMesh.StartAsync(
            new EmbeddedMeshOptions(Path.Combine(_root, "mesh"), Ephemeral: true, MeshProfile.Iteration1, BasePort: 0, ExternalConnectionString: null,
                RepositoryRoots: [repository], Loader: new MeshLoader(MeshLoader.DefaultRows)),
            QuietProgress.Instance, ct);
        _playwright = await Playwright.CreateAsync();
        // The flags measured to work on these machines; the profile lives in a folder of this test's own.
        _browser = await _playwright.Chromium.LaunchPersistentContextAsync(Path.Combine(_root, "chromium-profile"), new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            ViewportSize = new ViewportSize { Width = 1366, Height = 768 },
            AcceptDownloads = true,
            BaseURL = _mesh.Services[0].Url.ToString(),
        });
        Directory.CreateDirectory(Screenshots);
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_mesh is not null)
        {
            await _mesh.DisposeAsync();
        }

        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Consumer_SearchesAsTheyType_ReadsTheSchema_FollowsLineage_AndDownloadsTheImpactList()
    {
        var page = _browser.Pages.Count > 0 ? _browser.Pages[0] : await _browser.NewPageAsync();
        var scriptErrors = new List<string>();
        page.PageError += (_, error) => scriptErrors.Add(error);
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                scriptErrors.Add($"{response.Status} {response.Url}");
            }
        };
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                scriptErrors.Add(message.Text);
            }
        };

        await page.GotoAsync("/catalog");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Domains" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".domains").GetByRole(AriaRole.Link, new() { Name = "subscriptions" })).ToBeVisibleAsync();

        // Results as you type: no submit, htmx swaps the list in after the keystrokes pause.
        await page.GetByLabel("Search products").PressSequentiallyAsync("monthly rev", new() { Delay = 40 });
        var hit = page.Locator("#results").GetByRole(AriaRole.Link, new() { Name = "Monthly Revenue by Plan" });
        await Assertions.Expect(hit).ToBeVisibleAsync();
        Assert.EndsWith("/catalog", page.Url);
        await Shot(page, "1-search-as-you-type");

        await hit.ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Monthly Revenue by Plan", Level = 1 })).ToBeVisibleAsync();
        var schema = page.Locator("table.schema");
        await Assertions.Expect(schema.Locator("caption")).ToContainTextAsync("monthly_revenue");
        foreach (var column in new[] { "plan_id", "plan_name", "active_subscribers", "monthly_revenue_eur" })
        {
            await Assertions.Expect(schema.GetByRole(AriaRole.Rowheader, new() { Name = column, Exact = true })).ToBeVisibleAsync();
        }

        await Assertions.Expect(page.GetByText("team-green").First).ToBeVisibleAsync();

        await Shot(page, "2-product-page");

        // The lineage graph, drawn on the server: both products its SQL reads, one hop up.
        var graph = page.Locator("#lineage svg.graph");
        await Assertions.Expect(graph).ToBeVisibleAsync();
        await Assertions.Expect(graph.Locator("g.node.focus[data-product='subscriptions.monthly-revenue']")).ToBeVisibleAsync();
        await Assertions.Expect(graph.Locator("g.node[data-product='subscriptions.plans']")).ToBeVisibleAsync();
        await Assertions.Expect(graph.Locator("g.node[data-product='subscriptions.subscribers']")).ToBeVisibleAsync();
        await Assertions.Expect(graph.Locator("path.edge[data-from='subscriptions.plans'][data-to='subscriptions.monthly-revenue']")).ToHaveCountAsync(1);

        // One column's path only: plan_name comes from plans.name, and nothing of subscribers is drawn.
        await schema.GetByRole(AriaRole.Link, new() { Name = "plan_name", Exact = true }).ClickAsync();
        var path = page.Locator("#lineage svg.graph.columns");
        await Assertions.Expect(path).ToBeVisibleAsync();
        await Assertions.Expect(path.Locator("g.node.focus[data-column='monthly_revenue.plan_name']")).ToBeVisibleAsync();
        await Assertions.Expect(path.Locator("g.node[data-column='plans.name']")).ToBeVisibleAsync();
        await Assertions.Expect(path.Locator("g.node[data-column^='subscribers.']")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#lineage g[data-product]")).ToHaveCountAsync(0);
        Assert.EndsWith("/catalog/products/subscriptions.monthly-revenue", page.Url);
        await Shot(page, "3-column-path");

        // Back to the whole graph, then along a node's link to the upstream product's own page.
        await page.GetByRole(AriaRole.Link, new() { Name = "Whole product graph" }).ClickAsync();
        await graph.Locator("g.node[data-product='subscriptions.plans'] a").ClickAsync();
        await page.WaitForURLAsync("**/catalog/products/subscriptions.plans");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Subscription Plans", Level = 1 })).ToBeVisibleAsync();
        await Shot(page, "4-upstream-product");

        // Changing plans breaks monthly revenue: the impact list names it and its owner, as CSV too.
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download the impact list (CSV)" }).ClickAsync());
        var csvPath = Path.Combine(Screenshots, "plans-impact.csv");
        await download.SaveAsAsync(csvPath);
        var lines = await File.ReadAllLinesAsync(csvPath, TestContext.Current.CancellationToken);
        Assert.Equal("product_id,name,domain,owner,status,distance,reads_columns", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("subscriptions.monthly-revenue,Monthly Revenue by Plan,subscriptions,team-green,active,1,", StringComparison.Ordinal));

        Assert.True(scriptErrors.Count == 0, string.Join(" | ", scriptErrors));
    }

    [Fact]
    public async Task Hostile_Input_GetsPages_NotErrors()
    {
        var page = _browser.Pages.Count > 0 ? _browser.Pages[0] : await _browser.NewPageAsync();

        var unknown = await page.GotoAsync("/catalog/products/subscriptions.no-such-product");
        Assert.Equal(404, unknown!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not found" })).ToBeVisibleAsync();

        await page.GotoAsync("/catalog");
        await page.GetByLabel("Search products").FillAsync("<img src=x onerror=alert(1)>");
        await Assertions.Expect(page.Locator("#results")).ToContainTextAsync("Nothing matches “<img src=x onerror=alert(1)>”");
        await Assertions.Expect(page.Locator("#results img")).ToHaveCountAsync(0);
        await Shot(page, "5-hostile-search");
    }

    private static Task Shot(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });

    private sealed class QuietProgress : IStartupProgress
    {
        public static readonly QuietProgress Instance = new();

        public async Task<T> StepAsync<T>(string title, Func<CancellationToken, Task<(T Result, string Outcome)>> step, CancellationToken ct) =>
            (await step(ct)).Result;
    }
}
