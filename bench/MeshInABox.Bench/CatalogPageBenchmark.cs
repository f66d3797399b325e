using Microsoft.Playwright;

namespace MeshInABox.Bench;

/// <summary>
/// The catalog's product page (with its one-hop lineage graph, laid out on the server) in Chromium, on the generated
/// mesh of <see cref="LineageApiBenchmark"/>: p50/p95 of navigation start to the load event over <c>runs</c> page
/// loads, each paired with a load of the catalog's home page (the domain listing: the same layout, assets and
/// authentication, no product) in the same run, alternating, so both see the same machine.
/// </summary>
public static class CatalogPageBenchmark
{
    /// <summary>The machine's Chromium; Playwright's own browser builds are never downloaded.</summary>
    private const string Chromium = "/usr/bin/chromium";

    public static Task RunAsync(int products, int runs) => LineageApiBenchmark.WithGeneratedMeshAsync(products, async (registry, token, _) =>
    {
        if (!File.Exists(Chromium))
        {
            throw new InvalidOperationException($"{Chromium} is missing: run eng/install-prerequisites.sh, which installs Debian's chromium.");
        }

        using var playwright = await Playwright.CreateAsync();
        // The flags of the portal's browser tests (tests/MeshInABox.Portal.Tests).
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = registry.ToString(),
            ViewportSize = new ViewportSize { Width = 1366, Height = 768 },
            ExtraHTTPHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {token}" },
        });
        var page = await context.NewPageAsync();

        var random = new Random(42);
        string Product() => $"/catalog/products/bench.p{random.Next(products / 2, products):D4}";
        const string Home = "/catalog";

        // Warm-up: JIT, Razor components, connection pool, the browser's cache of the pinned assets.
        for (var i = 0; i < Math.Min(10, runs); i++)
        {
            await LoadAsync(page, Home, expectGraph: false);
            await LoadAsync(page, Product(), expectGraph: true);
        }

        var home = new double[runs];
        var product = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            home[i] = await LoadAsync(page, Home, expectGraph: false);
            product[i] = await LoadAsync(page, Product(), expectGraph: true);
        }

        Report($"GET {Home} (baseline: domain listing)", home, null);
        Report("GET /catalog/products/{id} (one-hop graph)", product, home);
    });

    /// <summary>Navigation start to the load event, in the browser's own Navigation Timing (ms).</summary>
    private static async Task<double> LoadAsync(IPage page, string path, bool expectGraph)
    {
        var response = await page.GotoAsync(path, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        if (response is not { Ok: true })
        {
            throw new InvalidOperationException($"{path} answered {response?.Status}.");
        }

        if (expectGraph && await page.Locator("svg").CountAsync() == 0)
        {
            throw new InvalidOperationException($"{path} shows no lineage graph.");
        }

        return await page.EvaluateAsync<double>("() => { const n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd - n.startTime; }");
    }

    private static void Report(string name, double[] times, double[]? baseline)
    {
        var sorted = times.Order().ToArray();
        double P(double[] s, double q) => s[Math.Min(s.Length - 1, (int)(s.Length * q))];
        var ratio = baseline is null ? "" : $"   p50 ratio {P(sorted, 0.5) / P([.. baseline.Order()], 0.5),5:F2}";
        Console.WriteLine($"{name,-48} n {times.Length,4}   p50 {P(sorted, 0.5),7:F2} ms   p95 {P(sorted, 0.95),7:F2} ms   max {sorted[^1],7:F2} ms{ratio}");
    }
}
