using System.Net;
using MeshInABox.Domain.Contracts;
using MeshInABox.Domain.Documents;
using MeshInABox.Domain.Products;
using MeshInABox.Lineage;
using MeshInABox.MeshRepository;
using MeshInABox.Registry.Model;
using MeshInABox.Registry.Publishing;
using MeshInABox.ServiceDefaults.Locations;

namespace MeshInABox.Cli.Registry;

/// <summary>
/// Pushes a mesh repo into a registry: creates missing products and publishes
/// each contract as a version under an idempotency key derived from its
/// content, so running it twice changes nothing.
/// </summary>
public sealed class RepoRegistration(RegistryClient registry)
{
    public sealed record Line(string Product, string? Version, string Outcome, bool Failed, IReadOnlyList<string> Details);

    public async Task<IReadOnlyList<Line>> RunAsync(string root, bool wait, CancellationToken ct)
    {
        var lines = new List<Line>();
        var published = new List<(string Product, string Version)>();
        foreach (var file in MeshRepositoryValidator.FindManifests(Path.GetFullPath(root)))
        {
            var display = Path.GetRelativePath(root, file);
            ManifestReader.Result read;
            try
            {
                read = ManifestReader.Read(await File.ReadAllTextAsync(file, ct), display);
            }
            catch (DocumentParseException error)
            {
                lines.Add(new Line(display, null, "unreadable", true, [error.Error.ToString()]));
                continue;
            }

            if (read.Manifest is not { } manifest)
            {
                lines.Add(new Line(display, null, "invalid manifest", true, [.. read.Errors.Select(e => e.ToString())]));
                continue;
            }

            var directory = Path.GetDirectoryName(file)!;

            // Every transform is read and checked before anything of the product is sent: a refused one stops it all.
            var transforms = new Dictionary<ProductOutput, string?>(ReferenceEqualityComparer.Instance);
            var refusals = new List<string>();
            foreach (var output in manifest.Outputs)
            {
                var (sql, refusal) = TransformSql(root, output, directory);
                transforms[output] = sql;
                if (refusal is not null)
                {
                    refusals.Add(refusal);
                }
            }

            if (refusals.Count > 0)
            {
                lines.Add(new Line(manifest.Id, null, "transform refused", true, refusals));
                continue;
            }

            var outputs = manifest.Outputs.Select(o => Output(o, directory, transforms[o])).ToList();
            var existing = await registry.GetProductAsync(manifest.Id, ct);
            if (existing is null)
            {
                var (status, problem) = await registry.RegisterAsync(new RegisterProductRequest(
                    manifest.Name, manifest.Domain, manifest.Owner, manifest.Description, manifest.Id, manifest.BusinessUnit, manifest.Tags,
                    manifest.Classification?.ToString().ToLowerInvariant(), outputs,
                    [.. manifest.Inputs.Select(i => new ProductInputDto(i.Product, i.Output))]), ct);
                lines.Add(status == HttpStatusCode.Created
                    ? new Line(manifest.Id, null, "registered", false, [])
                    : new Line(manifest.Id, null, $"not registered ({(int)status})", status != HttpStatusCode.Conflict, [problem ?? ""]));
            }

            // Outputs are sent, not left to the registry to derive: it keeps those of the first registration, and the manifest may have changed since.
            foreach (var group in manifest.Outputs.Where(o => o.Contract is not null).GroupBy(o => o.Contract!))
            {
                var streamContract = group.Select(o => o.StreamContract).FirstOrDefault(s => s is not null);
                lines.Add(await PublishAsync(manifest, directory, group.Key, streamContract, [.. group.Select(o => Output(o, directory, transforms[o]))], published, ct));
            }
        }

        return wait ? await WaitForDecisionsAsync(lines, published, ct) : lines;
    }

    private async Task<Line> PublishAsync(
        DataProductManifest manifest, string directory, string contractPath, string? streamContractPath, IReadOnlyList<ProductOutputDto> outputs,
        List<(string, string)> published, CancellationToken ct)
    {
        var path = Path.Combine(directory, contractPath);
        if (!File.Exists(path))
        {
            return new Line(manifest.Id, null, "contract missing", true, [contractPath]);
        }

        var text = await File.ReadAllTextAsync(path, ct);
        string? version;
        try
        {
            version = ContractReader.Read(text, contractPath).Contract.VersionText;
        }
        catch (DocumentParseException error)
        {
            return new Line(manifest.Id, null, "contract unreadable", true, [error.Error.ToString()]);
        }

        if (version is null)
        {
            return new Line(manifest.Id, null, "contract has no version", true, [contractPath]);
        }

        var stream = streamContractPath is null ? null : await File.ReadAllTextAsync(Path.Combine(directory, streamContractPath), ct);
        var body = new PublishVersionRequest(
            version, System.Text.Json.JsonSerializer.SerializeToElement(text), outputs,
            stream is null ? null : System.Text.Json.JsonSerializer.SerializeToElement(stream));
        var key = "register-" + SubmittedContract.Hash(manifest.Id, version, text, stream ?? "", System.Text.Json.JsonSerializer.Serialize(outputs))[..40];
        var (status, result, problem) = await registry.PublishAsync(manifest.Id, body, key, ct);
        if (result is null)
        {
            return new Line(manifest.Id, version, $"not published ({(int)status})", true, [problem ?? ""]);
        }

        published.Add((manifest.Id, version));
        return new Line(manifest.Id, version, result.Status is "active" ? "unchanged (active)" : result.Status, false, []);
    }

    private async Task<IReadOnlyList<Line>> WaitForDecisionsAsync(List<Line> lines, List<(string Product, string Version)> published, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var decided = new Dictionary<(string, string), VersionResponse>();
        while (decided.Count < published.Count && DateTime.UtcNow < deadline)
        {
            foreach (var (product, version) in published.Where(p => !decided.ContainsKey(p)))
            {
                var state = await registry.GetVersionAsync(product, version, ct);
                if (state.Status is "active" or "rejected")
                {
                    decided[(product, version)] = state;
                }
            }

            if (decided.Count < published.Count)
            {
                await Task.Delay(200, ct);
            }
        }

        return [.. lines.Select(line =>
            line.Version is not null && decided.TryGetValue((line.Product, line.Version), out var state) && !line.Outcome.StartsWith("unchanged", StringComparison.Ordinal)
                ? line with
                {
                    Outcome = state.Status,
                    Failed = state.Status == "rejected",
                    Details = [.. state.Reasons.Select(r => $"{r.Code}: {r.Message}")],
                }
                : line)];
    }

    /// <summary>Files are registered by absolute path, so the lakehouse finds them wherever the registry runs.</summary>
    private static ProductOutputDto Output(ProductOutput output, string directory, string? transformSql) => new(
        output.Name,
        output.Kind.ToString().ToLowerInvariant(),
        output.Location is null ? null : Path.GetFullPath(Path.Combine(directory, output.Location)),
        output.StorageTemplate,
        output.Transform is null ? null : Path.GetFullPath(Path.Combine(directory, output.Transform)),
        output.Source is null ? null : Path.GetFullPath(Path.Combine(directory, output.Source)),
        transformSql,
        output.Storage is { } storage ? new StorageDto(storage.Template, storage.Parameters) : null);

    /// <summary>
    /// The text of an output's SQL, from which the registry derives its lineage, or why it is refused (as
    /// <c>file:line:column: message</c>): it is read only from inside the product's own folder (links followed), so a
    /// manifest cannot make registration send another file's content, and only when the lineage analyzer would
    /// accept it (at most <see cref="LineageAnalyzer.MaxSqlLength"/> characters, no NUL). A missing file sends no SQL.
    /// </summary>
    private static (string? Sql, string? Refusal) TransformSql(string root, ProductOutput output, string directory)
    {
        if (output.Transform is null)
        {
            return (null, null);
        }

        string folder, path;
        try
        {
            folder = ProductFolders.RealPath(directory);
            path = ProductFolders.RealPath(Path.Combine(directory, output.Transform));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return (null, $"{output.At}: transform file '{output.Transform}' of output '{output.Name}' cannot be resolved ({error.Message}); it is not sent.");
        }

        if (!ProductFolders.IsInside(path, folder))
        {
            return (null, $"{output.At}: transform file '{output.Transform}' of output '{output.Name}' lies outside the product's folder (after resolving links); " +
                "only files inside it are sent.");
        }

        if (!File.Exists(path))
        {
            return (null, null);
        }

        var display = Path.GetRelativePath(Path.GetFullPath(root), Path.GetFullPath(Path.Combine(directory, output.Transform)));
        string text;
        try
        {
            // At most one character past the limit is read, so a huge file costs nothing.
            using var reader = new StreamReader(path);
            var buffer = new char[LineageAnalyzer.MaxSqlLength + 1];
            text = new string(buffer, 0, reader.ReadBlock(buffer, 0, buffer.Length));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return (null, $"{display}:1:1: transform file of output '{output.Name}' cannot be read ({error.Message}); it is not sent.");
        }

        if (text.Length > LineageAnalyzer.MaxSqlLength)
        {
            return (null, $"{At(display, text, LineageAnalyzer.MaxSqlLength)}: transform file of output '{output.Name}' is longer than " +
                $"{LineageAnalyzer.MaxSqlLength:N0} characters, the most the registry derives lineage from; it is not sent. Shorten the SQL, or split the output.");
        }

        if (text.IndexOf('\0', StringComparison.Ordinal) is var nul and >= 0)
        {
            return (null, $"{At(display, text, nul)}: transform file of output '{output.Name}' holds a NUL character, which would cut the SQL short; it is not sent.");
        }

        return (text, null);
    }

    /// <summary>The line and column (in code points, as DuckDB counts) of the UTF-16 index <paramref name="index"/>.</summary>
    private static SourceLocation At(string file, string text, int index) => TransformFile.LocationOf(file, text, SqlPosition.CodePoints(text, index));
}
