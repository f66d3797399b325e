using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MeshInABox.Domain.Access;
using MeshInABox.Domain.Naming;
using MeshInABox.Domain.Profiles;
using MeshInABox.Hosting;
using MeshInABox.Hosting.State;
using MeshInABox.ServiceDefaults;
using Npgsql;

namespace MeshInABox.Bench;

/// <summary>
/// How long a consumer waits for data on the iteration-2 mesh's PostgreSQL products: from asking for an open product
/// (granted at once) and from the owner's approval of a restricted one to the consumer's first 200 from the lakehouse
/// service's <c>POST /query</c>, beside the same query on a product already granted (the baseline, in the same run);
/// and each product's provisioning, from <c>POST .../versions</c> to the version being active.
/// </summary>
public static class AccessLatencyBenchmark
{
    private const string BenchDomain = "bench";
    private const int WarmUpRuns = 2;

    public static async Task RunAsync(int products, int runs)
    {
        var open = Math.Max(1, products / 2);
        var restricted = Math.Max(1, products - open);
        Console.WriteLine($"starting the iteration-2 mesh (throwaway local PostgreSQL cluster) ...");
        var started = Stopwatch.GetTimestamp();
        await using var mesh = await EmbeddedMesh.StartAsync(
            new EmbeddedMeshOptions(null, Ephemeral: true, MeshProfile.Iteration2, BasePort: 0, ExternalConnectionString: null),
            new SilentProgress(), CancellationToken.None);
        Console.WriteLine($"mesh up in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");

        string Token(string subject, string[] domains, string[] scopes) =>
            LocalTokens.Issue(MeshState.SigningKeyPath(mesh.DataDirectory), subject, domains, scopes, TimeSpan.FromHours(2));
        HttpClient Client(string service, string token)
        {
            var client = new HttpClient { BaseAddress = mesh.State!.Services[service], Timeout = TimeSpan.FromMinutes(2) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return client;
        }

        Consumer NewConsumer(string subject)
        {
            var token = Token(subject, [], [MeshAccess.ReadScope]);
            return new Consumer(Client("registry", token), Client("lakehouse", token));
        }

        // A new consumer's connections are opened before any timing starts.
        static async Task ConnectAsync(Consumer consumer)
        {
            (await consumer.Registry.GetAsync(new Uri("/health", UriKind.Relative))).Dispose();
            (await consumer.Lakehouse.GetAsync(new Uri("/health", UriKind.Relative))).Dispose();
        }

        using var owner = Client("registry", Token("carol", [BenchDomain], [MeshAccess.ReadScope, MeshAccess.WriteScope]));

        // (c) Register and publish: half open, half restricted; a few rows in each, written as its owner login.
        var openIds = Enumerable.Range(0, open).Select(i => $"{BenchDomain}.open-{i:D3}").ToList();
        var restrictedIds = Enumerable.Range(0, restricted).Select(i => $"{BenchDomain}.restricted-{i:D3}").ToList();
        var provisioning = new List<double>();
        var stepCounts = new List<int>();
        foreach (var (id, classification) in openIds.Select(id => (id, "open")).Concat(restrictedIds.Select(id => (id, "restricted"))))
        {
            var (milliseconds, steps) = await PublishAsync(owner, id, classification);
            provisioning.Add(milliseconds);
            stepCounts.Add(steps);
            await using var owned = new NpgsqlConnection(await OwnerConnectionStringAsync(owner, id));
            await owned.OpenAsync();
            await using var insert = new NpgsqlCommand(
                $"INSERT INTO \"{MeshNames.ProductSchema(id)}\".ratings (rating_id, stars) VALUES ('r-1', 4), ('r-2', 5), ('r-3', 3)", owned);
            await insert.ExecuteNonQueryAsync();
        }

        Console.WriteLine($"{products} products published ({open} open, {restricted} restricted), 3 rows each as the owner login");

        // The baseline consumer holds a grant on every product before any run.
        using var steady = NewConsumer("steady");
        foreach (var id in openIds.Concat(restrictedIds))
        {
            var request = await AskAsync(steady.Registry, id);
            if (request.Status != "granted")
            {
                await ApproveAsync(owner, request.Id);
                await FirstSuccessfulQueryAsync(steady.Lakehouse, Sql(id), TimeSpan.FromSeconds(60));
            }
        }

        // Whether an open product, granted, is answered at all: its open role holds column-level SELECT only.
        var openAnswered = (await QueryOnceAsync(steady.Lakehouse, Sql(openIds[0]), expectOk: false)) is var first && first.Answered;
        if (!openAnswered)
        {
            Console.WriteLine($"an open product, granted, is not answered: {first.Body}");
        }

        var openWait = new List<double>();
        var restrictedWait = new List<double>();
        var openBaseline = new List<double>();
        var restrictedBaseline = new List<double>();
        var openPolls = new List<int>();
        var openGranted = new List<double>();
        var openRefused = 0;
        var restrictedPolls = new List<int>();
        for (var run = -WarmUpRuns; run < runs; run++)
        {
            var measured = run >= 0;
            var openId = openIds[(run + WarmUpRuns) % openIds.Count];
            var restrictedId = restrictedIds[(run + WarmUpRuns) % restrictedIds.Count];

            // (a) An open product: the request is granted at once; time to the consumer's first 200.
            using (var consumer = NewConsumer($"reader-open-{run + WarmUpRuns}"))
            {
                await ConnectAsync(consumer);
                var t0 = Stopwatch.GetTimestamp();
                var request = await AskAsync(consumer.Registry, openId);
                var grantedAfter = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                if (request.Status != "granted")
                {
                    throw new InvalidOperationException($"{openId}: an open product's request is '{request.Status}', not granted at once.");
                }

                // Polled for 5 s while open products are answered at all; else one query, to record that it is still refused.
                var polls = await FirstSuccessfulQueryAsync(consumer.Lakehouse, Sql(openId), openAnswered ? TimeSpan.FromSeconds(5) : TimeSpan.Zero);
                var elapsed = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                if (measured)
                {
                    openGranted.Add(grantedAfter);
                    if (polls > 0)
                    {
                        openWait.Add(elapsed);
                        openPolls.Add(polls);
                    }
                    else
                    {
                        openRefused++;
                    }
                }
            }

            // (b) A restricted product: asked (untimed), then the owner approves; time to the consumer's first 200.
            using (var consumer = NewConsumer($"reader-restricted-{run + WarmUpRuns}"))
            {
                await ConnectAsync(consumer);
                var request = await AskAsync(consumer.Registry, restrictedId);
                if (request.Status != "pending")
                {
                    throw new InvalidOperationException($"{restrictedId}: a restricted product's request is '{request.Status}', not pending.");
                }

                var t0 = Stopwatch.GetTimestamp();
                await ApproveAsync(owner, request.Id);
                var polls = await FirstSuccessfulQueryAsync(consumer.Lakehouse, Sql(restrictedId), TimeSpan.FromSeconds(60));
                var elapsed = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                if (measured)
                {
                    restrictedWait.Add(elapsed);
                    restrictedPolls.Add(polls);
                }
            }

            // Baseline: the same queries by the consumer whose grants are already in place.
            var b0 = Stopwatch.GetTimestamp();
            if (openAnswered)
            {
                await QueryOnceAsync(steady.Lakehouse, Sql(openId), expectOk: true);
            }

            var openBase = Stopwatch.GetElapsedTime(b0).TotalMilliseconds;
            b0 = Stopwatch.GetTimestamp();
            await QueryOnceAsync(steady.Lakehouse, Sql(restrictedId), expectOk: true);
            var restrictedBase = Stopwatch.GetElapsedTime(b0).TotalMilliseconds;
            if (measured)
            {
                if (openAnswered)
                {
                    openBaseline.Add(openBase);
                }

                restrictedBaseline.Add(restrictedBase);
            }
        }

        Console.WriteLine();
        Console.WriteLine($"{runs} runs after {WarmUpRuns} warm-up runs; each wait ends at the first 200 of POST /query (SELECT count(*) over the product's table)");
        var baseRestricted = Print("baseline: query, restricted product already granted", restrictedBaseline, null);
        var baseOpen = openBaseline.Count > 0 ? Print("baseline: query, open product already granted", openBaseline, null) : baseRestricted;
        Print("(a) open: POST access-requests -> granted answer", openGranted, baseOpen);
        if (openWait.Count > 0)
        {
            Print("(a) open: POST access-requests -> first 200", openWait, baseOpen);
        }

        if (openRefused > 0)
        {
            Console.WriteLine($"(a) open: {openRefused} of {runs} runs never answered 200 (403 after the grant)");
        }

        Print("(b) restricted: POST approve -> first 200", restrictedWait, baseRestricted);
        Console.WriteLine($"queries until the first 200: (a) max {(openPolls.Count > 0 ? openPolls.Max() : 0)}, (b) max {restrictedPolls.Max()} (1 = at once)");
        Print("(c) provisioning: POST versions -> active", provisioning, null);
        Console.WriteLine($"provisioning steps per product: min {stepCounts.Min()}, max {stepCounts.Max()}");
    }

    /// <returns>p50 and p95 of <paramref name="times"/>; prints p50, p95, max, and the ratios of p50s and p95s to <paramref name="baseline"/> if given.</returns>
    private static (double P50, double P95) Print(string name, List<double> times, (double P50, double P95)? baseline)
    {
        var sorted = times.Order().ToArray();
        var p50 = sorted[sorted.Length / 2];
        var p95 = sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(sorted.Length * 0.95) - 1)];
        var ratio = baseline is { } b ? $"   p50 ratio {p50 / b.P50,6:F2}   p95 ratio {p95 / b.P95,6:F2}" : "";
        Console.WriteLine($"{name,-55} p50 {p50,8:F2} ms   p95 {p95,8:F2} ms   max {sorted[^1],8:F2} ms{ratio}");
        return (p50, p95);
    }

    private static string Sql(string id) => $"SELECT count(*) AS n FROM {id.Replace('-', '_')}.ratings";

    /// <returns>How many queries it took (1: the first was answered); 0 when none was within <paramref name="limit"/> below 60 s.</returns>
    private static async Task<int> FirstSuccessfulQueryAsync(HttpClient lakehouse, string sql, TimeSpan limit)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(Stopwatch.Frequency * limit.TotalSeconds);
        for (var attempt = 1; ; attempt++)
        {
            var (answered, body) = await QueryOnceAsync(lakehouse, sql, expectOk: false);
            if (answered)
            {
                return attempt;
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                if (limit < TimeSpan.FromSeconds(60))
                {
                    return 0;
                }

                throw new TimeoutException($"'{sql}' was not answered within {limit.TotalSeconds} s of the grant: {body}");
            }

            await Task.Delay(5);
        }
    }

    private static async Task<(bool Answered, string Body)> QueryOnceAsync(HttpClient lakehouse, string sql, bool expectOk)
    {
        using var response = await lakehouse.PostAsJsonAsync("query", new { sql });
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode == HttpStatusCode.OK)
        {
            if (JsonDocument.Parse(body.Split('\n')[0]).RootElement.GetProperty("n").GetInt32() != 3)
            {
                throw new InvalidOperationException($"'{sql}' answered {body}");
            }

            return (true, body);
        }

        if (expectOk || response.StatusCode != HttpStatusCode.Forbidden)
        {
            throw new InvalidOperationException($"'{sql}': {(int)response.StatusCode} {body}");
        }

        return (false, body);
    }

    private static async Task<(long Id, string Status)> AskAsync(HttpClient registry, string id)
    {
        using var asked = await registry.PostAsJsonAsync($"/data-products/{id}/access-requests", new { purpose = "Ratings for the access latency benchmark" });
        var body = await asked.Content.ReadAsStringAsync();
        if (!asked.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"access request on {id}: {(int)asked.StatusCode} {body}");
        }

        var request = JsonDocument.Parse(body).RootElement;
        return (request.GetProperty("id").GetInt64(), request.GetProperty("status").GetString()!);
    }

    private static async Task ApproveAsync(HttpClient owner, long requestId)
    {
        using var approved = await owner.PostAsJsonAsync($"/access-requests/{requestId}/approve", new { note = "Benchmark." });
        var body = await approved.Content.ReadAsStringAsync();
        if (!approved.IsSuccessStatusCode || JsonDocument.Parse(body).RootElement.GetProperty("status").GetString() != "granted")
        {
            throw new InvalidOperationException($"approving request {requestId}: {(int)approved.StatusCode} {body}");
        }
    }

    /// <returns>From POST versions to the version being active, and its provisioning steps.</returns>
    private static async Task<(double Milliseconds, int Steps)> PublishAsync(HttpClient owner, string id, string classification)
    {
        using (var created = await owner.PostAsJsonAsync("/data-products", new
        {
            id, name = "Ratings " + id, domain = BenchDomain, owner = "team-bench", businessUnit = "bench", tags = new[] { "bench" },
            description = "How viewers rated each campaign they saw, one row per rating.", classification,
            outputs = new[] { new { name = "ratings", kind = "postgres", storage = new { template = "postgres" } } },
        }))
        {
            if (!created.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"registering {id}: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
            }
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/data-products/{id}/versions")
        {
            Content = JsonContent.Create(new { version = "1.0.0", contract = Contract }),
        };
        request.Headers.Add("Idempotency-Key", id);
        var started = Stopwatch.GetTimestamp();
        using (var published = await owner.SendAsync(request))
        {
            if (!published.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"publishing {id}: {(int)published.StatusCode} {await published.Content.ReadAsStringAsync()}");
            }
        }

        while (Stopwatch.GetElapsedTime(started) < TimeSpan.FromMinutes(2))
        {
            var version = await owner.GetFromJsonAsync<JsonElement>($"/data-products/{id}/versions/1.0.0");
            switch (version.GetProperty("status").GetString())
            {
                case "active":
                    var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    return (elapsed, version.GetProperty("provisioning").EnumerateArray().Sum(r => r.GetProperty("steps").GetArrayLength()));
                case "rejected":
                    throw new InvalidOperationException($"{id} 1.0.0 was rejected: {version}");
            }

            await Task.Delay(5);
        }

        throw new TimeoutException($"{id} 1.0.0 was not decided within 2 minutes.");
    }

    /// <summary>The owner login as its pgpass file gives it (host:port:database:role:password).</summary>
    private static async Task<string> OwnerConnectionStringAsync(HttpClient owner, string id)
    {
        var credentials = await owner.GetFromJsonAsync<JsonElement>($"/data-products/{id}/credentials");
        var parts = (await File.ReadAllTextAsync(credentials.GetProperty("passFile").GetString()!)).TrimEnd('\n').Split(':');
        return new NpgsqlConnectionStringBuilder
        {
            Host = parts[0], Port = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), Database = parts[2],
            Username = parts[3], Password = parts[4], Pooling = false,
        }.ConnectionString;
    }

    private const string Contract = """
        apiVersion: v3.1.0
        kind: DataContract
        id: ratings
        version: 1.0.0
        status: active
        schema:
          - name: ratings
            description: One viewer's rating of a campaign.
            properties:
              - name: rating_id
                logicalType: string
                required: true
                primaryKey: true
                description: The rating's id.
              - name: stars
                logicalType: integer
                description: One to five stars.
        """;

    private sealed record Consumer(HttpClient Registry, HttpClient Lakehouse) : IDisposable
    {
        public void Dispose()
        {
            Registry.Dispose();
            Lakehouse.Dispose();
        }
    }

    private sealed class SilentProgress : IStartupProgress
    {
        public async Task<T> StepAsync<T>(string title, Func<CancellationToken, Task<(T Result, string Outcome)>> step, CancellationToken ct) =>
            (await step(ct)).Result;
    }
}
