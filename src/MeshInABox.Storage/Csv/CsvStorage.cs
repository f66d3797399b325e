using System.Text;
using MeshInABox.Domain.Contracts;
using MeshInABox.Iceberg.Writing;
using MeshInABox.Storage.Provisioning;

namespace MeshInABox.Storage.Csv;

/// <summary>
/// The <c>csv</c> template: an output's file in the product's own folder of the mesh repository. Steps: its folder
/// exists; the file exists, created with the contract's header row when missing (an existing file is never
/// touched). The parameter <c>path</c> is relative to the product's folder (default <c>data/&lt;output&gt;.csv</c>).
/// </summary>
/// <param name="repositoryRoot">The mesh repository whose <c>&lt;domain&gt;/&lt;product&gt;/</c> folders hold the products.</param>
public sealed class CsvStorage(string repositoryRoot) : IStorageTemplate
{
    public const string PathName = "path";

    public string Name => "csv";

    /// <summary>Test hook: stop after this many steps, as a run that died between two steps would.</summary>
    internal int? StopAfter { get; set; }

    public static string DefaultPath(string output) => $"data/{output}.csv";

    public IReadOnlyList<string> Check(StorageSpec spec)
    {
        var errors = new List<string>();
        foreach (var name in spec.Parameters.Keys.Where(k => k != PathName).Order(StringComparer.Ordinal))
        {
            errors.Add($"{name}: not a parameter of the csv template; it takes {PathName}.");
        }

        if (spec.Parameter(PathName) is { } path && PathRule(path) is { } reason)
        {
            errors.Add($"{PathName}: {reason}");
        }

        return errors;
    }

    public Task<ProvisioningReport> ReconcileAsync(StorageTarget target, CancellationToken ct)
    {
        var results = new List<StepResult>();
        var errors = Check(target.Spec);
        if (errors.Count > 0)
        {
            results.Add(new StepResult("parameters", StepOutcome.Failed, string.Join(" ", errors)));
            return Task.FromResult(new ProvisioningReport(target.Output, Name, results, null));
        }

        var relative = target.Spec.Parameter(PathName) ?? DefaultPath(target.Output);
        var folder = new ProductFolder(repositoryRoot, target.Domain, target.ProductId[(target.ProductId.IndexOf('.') + 1)..]);
        (string Name, Func<StepResult> Run)[] steps =
        [
            ("folder", () => Folder(folder, relative)),
            ("file", () => CsvFile(folder, relative, target)),
        ];
        foreach (var (name, step) in steps)
        {
            ct.ThrowIfCancellationRequested();
            if (results.Count == StopAfter)
            {
                break;
            }

            try
            {
                results.Add(step());
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                results.Add(new StepResult(name, StepOutcome.Failed, error.Message));
            }

            if (results[^1].Outcome == StepOutcome.Failed)
            {
                break;
            }
        }

        var complete = results.Count == steps.Length && results.All(r => r.Outcome != StepOutcome.Failed);
        var location = complete ? new Dictionary<string, object?> { ["path"] = folder.Resolve(relative, out _) } : null;
        return Task.FromResult(new ProvisioningReport(target.Output, Name, results, location));
    }

    /// <summary>
    /// What a path may be, before the file system is asked: relative, no '..', '/'-separated. Links are checked
    /// when provisioning, where they are (<see cref="ProductFolder.Resolve"/>).
    /// </summary>
    internal static string? PathRule(string path)
    {
        if (string.IsNullOrWhiteSpace(path) || path.Contains('\0', StringComparison.Ordinal))
        {
            return "the path is empty; give a file in the product's folder, e.g. data/orders.csv.";
        }

        if (Path.IsPathRooted(path) || path.StartsWith('~'))
        {
            return $"'{path}' is absolute; give the file relative to the product's folder, e.g. data/orders.csv.";
        }

        if (path.Contains('\\', StringComparison.Ordinal))
        {
            return $"'{path}' holds '\\'; separate folders with '/'.";
        }

        var segments = path.Split('/');
        if (segments.Contains(".."))
        {
            return $"'{path}' holds '..'; a product's file stays inside the product's folder.";
        }

        return segments[^1] is "" or "."
            ? $"'{path}' names a folder, not a file."
            : null;
    }

    private static StepResult Folder(ProductFolder folder, string relative)
    {
        if (folder.Resolve(relative, out var reason) is not { } file)
        {
            return new StepResult("folder", StepOutcome.Failed, reason!);
        }

        var directory = Path.GetDirectoryName(file)!;
        if (Directory.Exists(directory))
        {
            return new StepResult("folder", StepOutcome.Unchanged, $"{directory} exists.");
        }

        Directory.CreateDirectory(directory);
        // Checked again now it exists: nothing on the way may have been swapped for a link meanwhile.
        return folder.Resolve(relative, out reason) is null
            ? new StepResult("folder", StepOutcome.Failed, reason!)
            : new StepResult("folder", StepOutcome.Changed, $"created {directory}.");
    }

    private static StepResult CsvFile(ProductFolder folder, string relative, StorageTarget target)
    {
        if (folder.Resolve(relative, out var reason) is not { } file)
        {
            return new StepResult("file", StepOutcome.Failed, reason!);
        }

        if (Directory.Exists(file))
        {
            return new StepResult("file", StepOutcome.Failed, $"{file} is a folder, not a file.");
        }

        if (target.Contract.ObjectFor(target.Output) is not { } contract)
        {
            return new StepResult("file", StepOutcome.Failed,
                $"The contract has no object for output '{target.Output}' (it has {string.Join(", ", target.Contract.Schema.Select(o => o.Name))}).");
        }

        var header = Header(contract);
        if (File.Exists(file) || !ExclusiveFile.TryCreate(file, Encoding.UTF8.GetBytes(header + "\n")))
        {
            return new StepResult("file", StepOutcome.Unchanged, $"{file} exists; kept as it is{HeaderNote(file, header)}.");
        }

        return new StepResult("file", StepOutcome.Changed, $"created {file} with the contract's header row.");
    }

    /// <summary>The contract's columns in order, quoted as RFC 4180 asks when a name needs it.</summary>
    internal static string Header(SchemaObject contract) => string.Join(",", contract.Properties.Select(p =>
        p.Name.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + p.Name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : p.Name));

    /// <summary>Said, not fixed: a file someone wrote is theirs; ingestion checks it against the contract.</summary>
    private static string HeaderNote(string file, string header)
    {
        using var reader = new StreamReader(file);
        var first = reader.ReadLine();
        return first is null ? " (it is empty: it has no header row)"
            : first.TrimEnd('\r') == header ? ""
            : $" (its header row differs from the contract's: {header})";
    }
}
