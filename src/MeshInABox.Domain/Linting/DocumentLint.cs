using MeshInABox.Domain.Contracts;
using MeshInABox.Domain.Documents;
using MeshInABox.Domain.Streams;
using YamlDotNet.RepresentationModel;

namespace MeshInABox.Domain.Linting;

/// <summary>One violation found by <see cref="DocumentLint"/>: where, which rule, and how to fix it.</summary>
public sealed record LintFinding(SourceLocation Location, string Rule, string? Path, string Message)
{
    public override string ToString() => $"{Location}: {Rule}: {(Path is null or "" ? "" : Path + ": ")}{Message}";
}

/// <summary>The verdict on one file.</summary>
public sealed record LintResult(string File, string? Standard, IReadOnlyList<LintFinding> Findings, DocumentError? Unreadable)
{
    /// <summary>0 valid, 1 violations of the standard or the mesh's policies, 2 not readable as a contract at all.</summary>
    public int ExitCode => Unreadable is not null ? 2 : Findings.Count > 0 ? 1 : 0;
}

/// <summary>
/// Checks one contract on its own, as <c>mesh contract lint</c> does: an ODCS data contract against the
/// standard of its declared apiVersion and the mesh's contract policies, or an AsyncAPI document (told
/// apart by its <c>asyncapi</c> key) against what the AsyncAPI reader checks.
/// </summary>
public static class DocumentLint
{
    public const string AsyncApiRule = "asyncapi";

    /// <summary>Lints a file: an AsyncAPI document is read with the files its references reach under <paramref name="trustedFolder"/>.</summary>
    /// <param name="trustedFolder">The folder references may reach; by default the one holding the file. It must hold the file.</param>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static LintResult LintFile(string path, string? trustedFolder = null) => Lint(File.ReadAllText(path), path, trustedFolder, fromFile: true);

    /// <summary>Lints a document given as text: its references can only point inside it.</summary>
    public static LintResult Lint(string text, string file) => Lint(text, file, null, fromFile: false);

    private static LintResult Lint(string text, string file, string? trustedFolder, bool fromFile)
    {
        YamlMappingNode root;
        try
        {
            root = StructuredText.ParseMapping(text, file);
        }
        catch (DocumentParseException error)
        {
            return new LintResult(file, null, [], error.Error);
        }

        if (NodeReader.Child(root, "asyncapi") is not null)
        {
            return LintAsyncApi(text, file, trustedFolder, fromFile);
        }

        if (NodeReader.Child(root, "apiVersion") is null && NodeReader.Child(root, "kind") is null)
        {
            return new LintResult(file, null, [], new DocumentError(StructuredText.Locate(file, root),
                "Neither an ODCS data contract (no 'apiVersion' or 'kind') nor an AsyncAPI document (no 'asyncapi'): nothing to lint."));
        }

        var read = ContractReader.Read(root, file);
        var standard = read.Contract.Standard?.Name ?? read.Contract.ApiVersion;
        return new LintResult(file, $"ODCS {standard}", [.. read.Errors.Select(e => Finding(e, e.Rule ?? $"odcs-{standard}"))], null);
    }

    private static LintResult LintAsyncApi(string text, string file, string? trustedFolder, bool fromFile)
    {
        try
        {
            var read = fromFile ? AsyncApiDocument.ReadFile(file, trustedFolder) : AsyncApiDocument.Read(text, file);
            var standard = read.Document is { } document ? $"AsyncAPI {document.Version}" : "AsyncAPI";
            return new LintResult(file, standard, [.. read.Errors.Select(e => Finding(e, e.Rule ?? AsyncApiRule))], null);
        }
        catch (DocumentParseException error)
        {
            return new LintResult(file, "AsyncAPI", [], error.Error);
        }
    }

    private static LintFinding Finding(DocumentError error, string rule) => new(error.Location, rule, error.Path, error.Message);
}
