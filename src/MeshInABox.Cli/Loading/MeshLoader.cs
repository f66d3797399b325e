using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MeshInABox.Cli.Registry;
using MeshInABox.Domain.Access;
using MeshInABox.Domain.Contracts;
using MeshInABox.Domain.Documents;
using MeshInABox.Domain.Products;
using MeshInABox.Domain.Profiles;
using MeshInABox.Hosting;
using MeshInABox.Hosting.State;
using MeshInABox.Iceberg;
using MeshInABox.Iceberg.Writing;
using MeshInABox.Lakehouse.Engine;
using MeshInABox.Lakehouse.Engine.Ingest;
using MeshInABox.Lakehouse.Engine.Tables;
using MeshInABox.MeshRepository;
using MeshInABox.MeshRepository.Samples;
using MeshInABox.ServiceDefaults;

namespace MeshInABox.Cli.Loading;

/// <summary>
/// What <c>mesh up</c> loads: each repository's products registered and their contracts
/// published through the registry's API (<see cref="RepoRegistration"/>, as <c>mesh register</c>),
/// and with the lakehouse its lakehouse outputs filled: Team Gray's impressions generated
/// (<see cref="AdImpressionsGenerator"/>, <see cref="Rows"/> rows) into the data directory, other
/// sources from their files, derived outputs by their SQL through the lakehouse service.
/// Every step skips what is already there, so a second start, or one after a start that was
/// killed half-way, ends with the same mesh.
/// </summary>
public sealed class MeshLoader(int rows) : IMeshLoader
{
    public const int DefaultRows = 5_000;

    /// <summary>Snapshot summary entry marking the snapshots this loader committed.</summary>
    public const string LoadedByProperty = "meshinabox.loaded-by";

    private const string LoadedBy = "mesh up";

    public int Rows { get; } = rows;

    /// <summary>The lakehouse tables holding data after the load, in load order.</summary>
    public IReadOnlyList<(LakeTableName Name, long Rows)> Tables => _tables;

    private readonly List<(LakeTableName Name, long Rows)> _tables = [];

    public async Task LoadAsync(MeshState mesh, IStartupProgress progress, CancellationToken ct)
    {
        var key = MeshState.SigningKeyPath(mesh.DataDirectory);
        var token = LocalTokens.Issue(key, "mesh-up", ["*"], [MeshAccess.ReadScope, MeshAccess.WriteScope], TimeSpan.FromHours(1));
        using var registry = RegistryClient.Create(mesh.Services[MeshTopology.Registry.Name], token);
        foreach (var root in mesh.RepositoryRoots ?? [])
        {
            await progress.StepAsync($"{Display(root)}: products", stepCt => RegisterAsync(registry, root, stepCt), ct);
        }

        if (!mesh.Services.TryGetValue(MeshTopology.Lakehouse.Name, out var lakehouse))
        {
            return;
        }

        await progress.StepAsync("access requests", stepCt => AskForRestrictedAsync(mesh, stepCt), ct);

        using var query = new HttpClient { BaseAddress = lakehouse, Timeout = TimeSpan.FromMinutes(5) };
        query.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var outputs = (mesh.RepositoryRoots ?? []).SelectMany(LakehouseOutputs).ToList();
        var empty = new HashSet<string>();
        foreach (var output in InLoadOrder(outputs))
        {
            await progress.StepAsync(output.Table.ToString(), stepCt => FillAsync(output, mesh.DataDirectory, query, empty, stepCt), ct);
        }
    }

    /// <summary>The analyst whose requests the sample state holds, waiting for the owning team's approval.</summary>
    public const string SampleRequester = "analyst-anna";

    /// <summary>
    /// From iteration-2 the sample state holds a pending access request on each restricted product, so a trainer can
    /// show approve, then query. Asking again returns the request that stands: a second start adds none.
    /// </summary>
    private static async Task<(bool, string)> AskForRestrictedAsync(MeshState mesh, CancellationToken ct)
    {
        var restricted = (mesh.RepositoryRoots ?? []).SelectMany(MeshRepositoryValidator.FindManifests)
            .Select(file => { try { return ManifestReader.Read(File.ReadAllText(file), file).Manifest; } catch (DocumentParseException) { return null; } })
            .Where(m => m?.Classification == Classification.Restricted).Select(m => m!.Id).Distinct().ToList();
        var token = LocalTokens.Issue(MeshState.SigningKeyPath(mesh.DataDirectory), SampleRequester, [], [MeshAccess.ReadScope], TimeSpan.FromMinutes(10));
        using var registry = new HttpClient { BaseAddress = mesh.Services[MeshTopology.Registry.Name], Timeout = TimeSpan.FromMinutes(1) };
        registry.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var statuses = new List<string>();
        foreach (var id in restricted)
        {
            using var response = await registry.PostAsJsonAsync(new Uri($"data-products/{Uri.EscapeDataString(id)}/access-requests", UriKind.Relative),
                new { purpose = "Churn analysis for the spring retention campaign." }, ct);
            statuses.Add(response.IsSuccessStatusCode
                ? $"{id}: {(await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("status").GetString()}"
                : $"{id}: not asked ({(int)response.StatusCode})");
        }

        return (true, restricted.Count == 0 ? "no restricted product" : $"{SampleRequester} asked for {string.Join(", ", statuses)}");
    }

    private static async Task<(bool, string)> RegisterAsync(RegistryClient registry, string root, CancellationToken ct)
    {
        IReadOnlyList<RepoRegistration.Line> lines;
        try
        {
            lines = await new RepoRegistration(registry).RunAsync(root, wait: true, ct);
        }
        catch (HttpRequestException error)
        {
            throw new MeshHostException($"Loading {Display(root)}: the registry did not answer as expected: {error.Message}");
        }

        var versions = lines.Where(l => l.Version is not null).ToList();
        var failed = lines.Where(l => l.Failed || (l.Version is not null && l.Outcome is not ("active" or "unchanged (active)"))).ToList();
        if (failed.Count > 0)
        {
            var reasons = failed.Select(l =>
                $"{l.Product}{(l.Version is null ? "" : " " + l.Version)}: {l.Outcome}{(l.Details.Count > 0 ? " (" + string.Join("; ", l.Details) + ")" : "")}");
            throw new MeshHostException(
                $"Loading {Display(root)} failed: {string.Join(" | ", reasons)}. Fix the repository, or start with --empty to load nothing.");
        }

        var products = lines.Select(l => l.Product).Distinct(StringComparer.Ordinal).Count();
        var registered = lines.Count(l => l.Outcome == "registered");
        var published = versions.Count(l => l.Outcome == "active");
        return (true, registered == 0 && published == 0
            ? $"{products} products, {versions.Count} versions active (already registered)"
            : $"{products} products, {versions.Count} versions active ({registered} products and {published} versions new)");
    }

    private sealed record LakehouseOutput(LakeTableName Table, DataContract Contract, string? Template, string? Source, string? Transform, string Root, IReadOnlyList<string> Inputs);

    /// <summary>The repository's lakehouse outputs that have data to load: a source file or a transform.</summary>
    private static IEnumerable<LakehouseOutput> LakehouseOutputs(string root)
    {
        foreach (var file in MeshRepositoryValidator.FindManifests(root))
        {
            DataProductManifest? manifest;
            try
            {
                manifest = ManifestReader.Read(File.ReadAllText(file), file).Manifest;
            }
            catch (DocumentParseException)
            {
                continue; // registration has already refused it, naming why
            }

            var directory = Path.GetDirectoryName(file)!;
            foreach (var output in manifest?.Outputs.Where(o => o.Kind == OutputKind.Lakehouse && o.Contract is not null && (o.Source ?? o.Transform) is not null) ?? [])
            {
                var contractFile = Path.Combine(directory, output.Contract!);
                var contract = ContractReader.Read(File.ReadAllText(contractFile), contractFile);
                if (!contract.IsValid)
                {
                    throw new MeshHostException($"{contractFile}: {string.Join("; ", contract.Errors)}");
                }

                yield return new LakehouseOutput(
                    LakeTableName.Parse($"{manifest!.Id}.{output.Name}"), contract.Contract, output.StorageTemplate,
                    output.Source is null ? null : Path.GetFullPath(Path.Combine(directory, output.Source)),
                    output.Transform is null ? null : Path.GetFullPath(Path.Combine(directory, output.Transform)),
                    root, [.. manifest.Inputs.Select(i => i.Product)]);
            }
        }
    }

    /// <summary>Sources first, then each derived output after the outputs it reads.</summary>
    private static IEnumerable<LakehouseOutput> InLoadOrder(List<LakehouseOutput> outputs)
    {
        var pending = outputs.Where(o => o.Source is null).ToList();
        foreach (var source in outputs.Where(o => o.Source is not null))
        {
            yield return source;
        }

        while (pending.Count > 0)
        {
            var ready = pending.Where(o => !o.Inputs.Any(input => pending.Any(p => p != o && Product(p.Table) == input))).ToList();
            // A cycle has no order: run the rest as they come, each fails or not on its own.
            foreach (var output in ready.Count > 0 ? ready : [.. pending])
            {
                pending.Remove(output);
                yield return output;
            }
        }
    }

    private async Task<(bool, string)> FillAsync(LakehouseOutput output, string dataDirectory, HttpClient query, HashSet<string> empty, CancellationToken ct)
    {
        // Generated and derived files go to the data directory, never into the repository.
        var file = Path.Combine(dataDirectory, "samples", output.Table.Domain, output.Table.Product, output.Table.Table + ".csv");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        string from;
        if (output.Source is { } source && IsGenerated(output.Root, source))
        {
            await Task.Run(() => WriteAtomically(file, temporary => AdImpressionsGenerator.Write(temporary, Rows, new Cancellation(ct))), ct);
            from = $"{Rows:N0} generated rows";
        }
        else if (output.Source is { } given)
        {
            if (!File.Exists(given))
            {
                empty.Add(Product(output.Table));
                return (true, $"no data: {Path.GetRelativePath(output.Root, given)} does not exist");
            }

            file = given;
            from = Path.GetRelativePath(output.Root, given);
        }
        else
        {
            if (output.Inputs.FirstOrDefault(empty.Contains) is { } missing)
            {
                empty.Add(Product(output.Table));
                return (true, $"not derived: its input {missing} has no data");
            }

            await DeriveAsync(output, file, query, ct);
            from = $"derived by {Path.GetRelativePath(output.Root, output.Transform!)}";
        }

        return (true, await Task.Run(() => Ingest(output, file, from, Path.Combine(dataDirectory, "lake")), ct));
    }

    private static bool IsGenerated(string root, string source) =>
        Path.GetRelativePath(root, source).Replace('\\', '/') == AdImpressionsGenerator.RelativePath;

    private static async Task DeriveAsync(LakehouseOutput output, string file, HttpClient query, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("query", UriKind.Relative))
        {
            Content = JsonContent.Create(new { sql = await File.ReadAllTextAsync(output.Transform!, ct) }),
        };
        request.Headers.Accept.ParseAdd("text/csv");
        using var response = await query.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            string detail;
            try
            {
                detail = JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString() ?? body;
            }
            catch (Exception error) when (error is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                detail = body;
            }

            throw new MeshHostException($"{output.Table}: {output.Transform} failed ({(int)response.StatusCode}): {detail}");
        }

        var temporary = file + ".tmp";
        await using (var target = File.Create(temporary))
        {
            await response.Content.CopyToAsync(target, ct);
        }

        File.Move(temporary, file, overwrite: true);
    }

    /// <summary>
    /// Loads the file unless the table holds it already. A table this loader filled before is
    /// overwritten (another --rows); one that holds other rows, loaded by hand, is left alone.
    /// </summary>
    private string Ingest(LakehouseOutput output, string file, string from, string lake)
    {
        var directory = output.Table.DirectoryIn(lake);
        var current = File.Exists(Path.Combine(directory, "metadata", "version-hint.text")) ? IcebergTable.Open(directory).Metadata.CurrentSnapshot : null;
        if (LakeIngest.FindIngested(directory, LakeIngest.Fingerprint(file)) is { } loaded)
        {
            _tables.Add((output.Table, TotalRows(current)));
            return $"already loaded ({TotalRows(current):N0} rows, snapshot {loaded.SnapshotId})";
        }

        if (current is not null && current.Summary.GetValueOrDefault(LoadedByProperty) != LoadedBy)
        {
            _tables.Add((output.Table, TotalRows(current)));
            return $"left as it is: it holds {TotalRows(current):N0} rows not loaded by mesh up";
        }

        LakeIngest.Result result;
        try
        {
            result = LakeIngest.Run(file, output.Table, output.Contract, current is null ? TableWriter.Mode.Append : TableWriter.Mode.Overwrite,
                lake, output.Template, new Dictionary<string, string> { [LoadedByProperty] = LoadedBy });
        }
        catch (Exception error) when (error is LakehouseException or IcebergFormatException or IcebergCommitException)
        {
            throw new MeshHostException($"{output.Table}: {error.Message}");
        }

        if (!result.Committed)
        {
            throw new MeshHostException(
                $"{output.Table}: {file} breaks the contract, nothing was loaded: " +
                string.Join("; ", result.Violations.Take(5).Select(v => $"line {v.Line}: {v.Message}")));
        }

        _tables.Add((output.Table, result.Rows));
        return $"{result.Rows:N0} rows loaded ({from}), snapshot {result.Snapshot!.SnapshotId}";
    }

    private static long TotalRows(Iceberg.Metadata.Snapshot? snapshot) =>
        snapshot?.Summary.TryGetValue("total-records", out var total) == true ? long.Parse(total, CultureInfo.InvariantCulture) : 0;

    private static string Product(LakeTableName table) => $"{table.Domain}.{table.Product}";

    /// <summary>Written under a temporary name, then renamed: a start killed half-way never leaves a partial file as the data.</summary>
    private static void WriteAtomically(string file, Action<string> write)
    {
        var temporary = file + ".tmp";
        write(temporary);
        File.Move(temporary, file, overwrite: true);
    }

    /// <summary>The repository as the user would type it: relative to the current directory when under it.</summary>
    public static string Display(string root)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, root);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? root : relative;
    }

    /// <summary>Progress the generator reports every 100,000 rows: the point where a Ctrl-C stops it.</summary>
    private sealed class Cancellation(CancellationToken ct) : IProgress<int>
    {
        public void Report(int value) => ct.ThrowIfCancellationRequested();
    }
}
