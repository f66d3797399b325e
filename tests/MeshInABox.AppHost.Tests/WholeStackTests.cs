using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using MeshInABox.Domain.Access;
using MeshInABox.ServiceDefaults;

namespace MeshInABox.AppHost.Tests;

/// <summary>
/// The AppHost started for real (DCP, the PostgreSQL container, the services as processes): every resource
/// healthy, a product registered through the registry, and from iteration-2 a query through the lakehouse.
/// Skipped unless a container engine answers and the PostgreSQL image Aspire asks for is present
/// (eng/build-offline-images.sh builds it where none can be pulled).
/// </summary>
public sealed class WholeStackTests
{
    /// <summary>The image Aspire.Hosting.PostgreSQL 13.6.5 runs (PostgresContainerImageTags).</summary>
    private const string PostgresImage = "docker.io/library/postgres:18.3";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Iteration0_starts_healthy_and_registers_a_product()
    {
        await using var app = await StartAsync("iteration-0", ["postgres", "registry"]);
        using var registry = Client(app, "registry", WriterToken());

        await RegisterTitlesAsync(registry);

        using var read = await registry.GetAsync(new Uri("/data-products/content.catalogue", UriKind.Relative), TestContext.Current.CancellationToken);
        var body = await read.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(read.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal("content", JsonDocument.Parse(body).RootElement.GetProperty("domain").GetString());
    }

    [Fact]
    public async Task Iteration2_without_kafka_starts_healthy_and_queries_a_registered_csv_product()
    {
        await using var app = await StartAsync("iteration-2", ["postgres", "registry", "lakehouse"], "--Mesh:Kafka", "false");
        using var registry = Client(app, "registry", WriterToken());
        using var lakehouse = Client(app, "lakehouse", token: null);

        await RegisterTitlesAsync(registry);

        using var response = await lakehouse.PostAsJsonAsync(
            new Uri("/query", UriKind.Relative),
            new { sql = "SELECT count(*) AS n, min(title_id) AS first FROM content.catalogue.titles" },
            TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var row = JsonDocument.Parse(Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries))).RootElement;
        Assert.Equal(TitleRows(), row.GetProperty("n").GetInt64());
        Assert.Equal("tt0001", row.GetProperty("first").GetString());

        // The storage plane: a PostgreSQL output is provisioned on the same PostgreSQL resource before its version
        // goes active, and an open product's table answers every reader at once.
        var version = await PublishAsync(registry, "advertising.campaign-notes", "notes", "postgres", new { template = "postgres" }, """
            apiVersion: v3.1.0
            kind: DataContract
            id: campaign-notes
            version: 1.0.0
            status: active
            schema:
              - name: notes
                properties:
                  - name: note_id
                    logicalType: string
                    required: true
                    primaryKey: true
                  - name: body
                    logicalType: string
            """);
        Assert.Contains(version.GetProperty("provisioning")[0].GetProperty("steps").EnumerateArray(), s => s.GetProperty("step").GetString() == "grant:readers");
        using var provisioned = await lakehouse.PostAsJsonAsync(
            new Uri("/query", UriKind.Relative), new { sql = "SELECT count(*) AS n FROM advertising.campaign_notes.notes" }, TestContext.Current.CancellationToken);
        var answer = await provisioned.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(provisioned.StatusCode == HttpStatusCode.OK, answer);
        Assert.Equal(0, JsonDocument.Parse(answer.Split('\n')[0]).RootElement.GetProperty("n").GetInt64());
    }

    [Fact]
    public async Task Iteration1_computes_lineage_from_a_products_sql_and_shows_the_upstream_product_in_the_api_and_the_portal()
    {
        await using var app = await StartAsync("iteration-1", ["postgres", "registry"], "--Mesh:Kafka", "false");
        using var registry = Client(app, "registry", WriterToken());
        var ct = TestContext.Current.CancellationToken;
        // The sample's own files: Team Gray's campaign performance is computed by SQL over the ad impressions.
        var advertising = Path.Combine(FindRoot(), "samples", "messflix", "advertising");
        await PublishAsync(registry, "advertising.ad-impressions", "impressions", "lakehouse", null,
            await File.ReadAllTextAsync(Path.Combine(advertising, "ad-impressions", "contracts", "impressions.odcs.yaml"), ct));
        var transform = Path.Combine(advertising, "campaign-performance", "sql", "campaign_performance.sql");
        await PublishAsync(registry, "advertising.campaign-performance", "campaign_performance", "lakehouse", null,
            await File.ReadAllTextAsync(Path.Combine(advertising, "campaign-performance", "contracts", "campaign_performance.odcs.yaml"), ct),
            inputs: ["advertising.ad-impressions"], transform: transform, sql: await File.ReadAllTextAsync(transform, ct));

        var lineage = await registry.GetFromJsonAsync<JsonElement>(new Uri("/data-products/advertising.campaign-performance/lineage?direction=upstream", UriKind.Relative), ct);
        using var page = await registry.GetAsync(new Uri("/catalog/products/advertising.campaign-performance", UriKind.Relative), ct);
        var html = await page.Content.ReadAsStringAsync(ct);

        Assert.Contains(lineage.GetProperty("nodes").EnumerateArray(), n => n.GetProperty("productId").GetString() == "advertising.ad-impressions");
        Assert.Contains(lineage.GetProperty("links").EnumerateArray(), l => l.GetProperty("upstream").GetString() == "advertising.ad-impressions"
            && l.GetProperty("origins").EnumerateArray().Any(o => o.GetString() == "sql"));
        Assert.True(page.StatusCode == HttpStatusCode.OK, html);
        Assert.Contains("/catalog/products/advertising.ad-impressions", html);
    }

    /// <summary>Registers a product with one output (with its SQL, when given) and publishes 1.0.0, waiting until it is active.</summary>
    private static async Task<JsonElement> PublishAsync(
        HttpClient registry, string id, string output, string kind, object? storage, string contract, string[]? inputs = null, string? transform = null, string? sql = null)
    {
        var ct = TestContext.Current.CancellationToken;
        using var created = await registry.PostAsJsonAsync(new Uri("/data-products", UriKind.Relative), new
        {
            id, name = id, domain = id[..id.IndexOf('.')], owner = "team-gray", businessUnit = "advertising", tags = new[] { "whole-stack" },
            description = $"{id}, published by the whole-stack tests.", classification = "open",
            outputs = new[] { new { name = output, kind, storage, transform, sql } },
            inputs = (inputs ?? []).Select(i => new { product = i }).ToArray(),
        }, ct);
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync(ct));
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/data-products/{id}/versions", UriKind.Relative))
        {
            Content = JsonContent.Create(new { version = "1.0.0", contract }),
        };
        request.Headers.Add("Idempotency-Key", id);
        using var published = await registry.SendAsync(request, ct);
        Assert.True(published.IsSuccessStatusCode, await published.Content.ReadAsStringAsync(ct));
        for (var i = 0; i < 1200; i++)
        {
            var version = await registry.GetFromJsonAsync<JsonElement>(new Uri($"/data-products/{id}/versions/1.0.0", UriKind.Relative), ct);
            if (version.GetProperty("status").GetString() is "active" or "rejected")
            {
                Assert.True(version.GetProperty("status").GetString() == "active", version.ToString());
                return version;
            }

            await Task.Delay(100, ct);
        }

        throw new TimeoutException($"{id} 1.0.0 was not decided within 2 minutes.");
    }

    /// <summary>Starts the AppHost at <paramref name="profile"/> and waits until <paramref name="healthy"/> all are.</summary>
    private static async Task<DistributedApplication> StartAsync(string profile, string[] healthy, params string[] switches)
    {
        var why = await WhyNotRunnableAsync();
        if (why is not null)
        {
            Assert.Skip(why);
        }

        var ct = TestContext.Current.CancellationToken;
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.MeshInABox_AppHost>(
            ["--profile", profile, .. switches], ct);

        // A fresh database every run: the AppHost's data volume would keep one run's server (and its generated
        // password) for the next.
        var postgres = Assert.Single(builder.Resources.OfType<PostgresServerResource>());
        foreach (var volume in postgres.Annotations.OfType<ContainerMountAnnotation>().Where(m => m.Type == ContainerMountType.Volume).ToList())
        {
            postgres.Annotations.Remove(volume);
        }

        var app = await builder.BuildAsync(ct);
        var clock = Stopwatch.StartNew();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(StartTimeout);
            await app.StartAsync(timeout.Token);
            foreach (var name in healthy)
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(name, timeout.Token);
            }
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        // Reported, never asserted: how long the stack took from start to every resource healthy.
        TestContext.Current.TestOutputHelper?.WriteLine($"{profile}: start to healthy ({string.Join(", ", healthy)}) in {clock.Elapsed.TotalSeconds:F1} s");
        return app;
    }

    /// <summary>Why the stack cannot run here, or null when it can.</summary>
    private static async Task<string?> WhyNotRunnableAsync()
    {
        if (await DockerAsync("info") is { } engine)
        {
            return $"No container engine answers ('docker info' failed: {engine}).";
        }

        return await DockerAsync("image", "inspect", PostgresImage) is null
            ? null
            : $"The image {PostgresImage} is not present; build it with eng/build-offline-images.sh.";
    }

    /// <summary>Runs docker; null when it succeeded, else what went wrong.</summary>
    private static async Task<string?> DockerAsync(params string[] args)
    {
        var start = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
            await stdout;
            var error = (await stderr).Trim();
            return process.ExitCode == 0 ? null : error.Length > 0 ? error.Split('\n')[^1] : $"exit code {process.ExitCode}";
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or OperationCanceledException)
        {
            return e is OperationCanceledException ? "no answer within 30 s" : "docker is not installed";
        }
    }

    /// <summary>A token signed with the AppHost's key for a platform administrator who may write every domain.</summary>
    private static string WriterToken()
    {
        var key = Path.Combine(FindRoot(), "MeshInABox.AppHost", ".mesh", "keys", "registry-signing.key");
        return LocalTokens.Issue(key, "platform-admin", [MeshAccess.AnyDomain], [MeshAccess.ReadScope, MeshAccess.WriteScope], TimeSpan.FromHours(1));
    }

    /// <summary>The sample titles file, under the sample mesh the AppHost passes as its repository root.</summary>
    private static string TitlesCsv => Path.Combine(FindRoot(), "samples", "messflix", "content", "catalogue", "data", "titles.csv");

    private static long TitleRows() => File.ReadLines(TitlesCsv).Count(l => l.Length > 0) - 1;

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MeshInABox.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("MeshInABox.sln not found above the test binaries.");
    }

    private static HttpClient Client(DistributedApplication app, string resource, string? token)
    {
        var client = app.CreateHttpClient(resource, "http");
        client.Timeout = TimeSpan.FromMinutes(2);
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>content.catalogue with its CSV output, whose file lies under the sample mesh the AppHost passes.</summary>
    private static async Task RegisterTitlesAsync(HttpClient registry)
    {
        var ct = TestContext.Current.CancellationToken;
        using var created = await registry.PostAsJsonAsync(new Uri("/data-products", UriKind.Relative), new
        {
            id = "content.catalogue", name = "Content Catalogue", domain = "content", owner = "team-yellow",
            description = "Every title Messflix streams, for the whole-stack tests.", classification = "open",
            outputs = new[] { new { name = "titles", kind = "csv" } },
        }, ct);
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync(ct));

        var path = Path.GetFullPath(TitlesCsv);
        using var located = await registry.PutAsJsonAsync(
            new Uri("/data-products/content.catalogue/endpoints/titles", UriKind.Relative), new { kind = "csv", location = new { path } }, ct);
        Assert.True(located.IsSuccessStatusCode, await located.Content.ReadAsStringAsync(ct));
    }
}
