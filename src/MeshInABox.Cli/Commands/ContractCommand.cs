using System.CommandLine;
using MeshInABox.Cli.Rendering;
using MeshInABox.Domain.Contracts;
using MeshInABox.Domain.Documents;
using MeshInABox.Domain.Linting;
using MeshInABox.Domain.Versioning;
using Spectre.Console;

namespace MeshInABox.Cli.Commands;

/// <summary>
/// <c>mesh contract diff &lt;old&gt; &lt;new&gt;</c>: what changed, and whether the version moved enough;
/// <c>mesh contract lint &lt;file&gt;...</c>: one contract against its standard and the mesh's policies;
/// <c>mesh contract export &lt;file&gt;</c>: what was read, written back.
/// </summary>
public static class ContractCommand
{
    public static Command Create()
    {
        var before = new Argument<string>("old") { Description = "The earlier contract (ODCS YAML or JSON)." };
        var after = new Argument<string>("new") { Description = "The new contract." };
        var format = CommonOptions.Format();
        var diff = new Command("diff", "List every change between two contract versions with its class (MAJOR/MINOR/PATCH). Exit 1 when the version bump is too small, 2 when a contract cannot be read.")
        {
            before, after, format,
        };
        diff.SetAction(result => Diff(result.GetValue(before)!, result.GetValue(after)!, result.GetValue(format)));
        return new Command("contract", "Work with ODCS data contracts.") { diff, Lint(), Export() };
    }

    private static Command Lint()
    {
        var files = new Argument<string[]>("file") { Description = "ODCS contracts or AsyncAPI documents (YAML or JSON).", Arity = ArgumentArity.OneOrMore };
        var format = CommonOptions.Format();
        var root = new Option<string?>("--root")
        {
            Description = "The folder an AsyncAPI document's references to other files may reach. Default: the current folder when it holds the file, else the file's own folder.",
        };
        var lint = new Command("lint", "Check contracts against the standard they declare (ODCS v3.0.0-v3.1.0 by apiVersion, AsyncAPI by its asyncapi key) and the mesh's contract policies. Exit 0 valid, 1 violations, 2 a file cannot be read as a contract.")
        {
            files, format, root,
        };
        lint.SetAction(result => RunLint(result.GetValue(files)!, result.GetValue(format), result.GetValue(root)));
        return lint;
    }

    /// <summary>What a document's references may reach: what the caller says, else the folder they work in when the file is in it.</summary>
    private static string TrustedFolder(string path, string? root)
    {
        if (root is not null)
        {
            return Path.GetFullPath(root);
        }

        var here = Path.GetFullPath(Environment.CurrentDirectory);
        var full = Path.GetFullPath(path);
        return full.StartsWith(Path.TrimEndingDirectorySeparator(here) + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? here
            : Path.GetDirectoryName(full)!;
    }

    private static int RunLint(string[] paths, OutputFormat format, string? root)
    {
        var results = paths.Select(path =>
        {
            try
            {
                return DocumentLint.LintFile(path, TrustedFolder(path, root));
            }
            catch (ArgumentException error)
            {
                // --root does not hold the file.
                return new LintResult(path, null, [], new DocumentError(SourceLocation.StartOf(path), error.Message));
            }
            catch (IOException error)
            {
                return new LintResult(path, null, [], new DocumentError(SourceLocation.StartOf(path), error.Message));
            }
            catch (UnauthorizedAccessException error)
            {
                return new LintResult(path, null, [], new DocumentError(SourceLocation.StartOf(path), error.Message));
            }
        }).ToList();
        var exitCode = results.Max(r => r.ExitCode);
        if (format == OutputFormat.Json)
        {
            CliJson.Write(new
            {
                valid = exitCode == 0,
                files = results.Select(r => new
                {
                    file = r.File,
                    standard = r.Standard,
                    valid = r.ExitCode == 0,
                    unreadable = r.Unreadable is { } u ? new { line = u.Location.Line, column = u.Location.Column, message = u.Message } : null,
                    findings = r.Findings.Select(f => new { line = f.Location.Line, column = f.Location.Column, rule = f.Rule, path = f.Path, message = f.Message }),
                }),
            });
            return exitCode;
        }

        foreach (var result in results)
        {
            if (result.Unreadable is { } unreadable)
            {
                ErrorOutput.Write($"{unreadable.Location}: error unreadable: {unreadable.Message}");
                continue;
            }

            foreach (var finding in result.Findings)
            {
                Console.WriteLine($"{finding.Location}: error {finding.Rule}: {(finding.Path is null or "" ? "" : finding.Path + ": ")}{finding.Message}");
            }

            Console.WriteLine(result.Findings.Count == 0
                ? $"{result.File}: valid {result.Standard}."
                : $"{result.File}: {result.Findings.Count} violation(s) of {result.Standard} or the mesh's contract policies.");
        }

        return exitCode;
    }

    private static Command Export()
    {
        var file = new Argument<string>("file") { Description = "An ODCS contract (YAML or JSON)." };
        var format = new Option<ExportFormat>("--format") { Description = "yaml (keeps comments and key order) or json.", DefaultValueFactory = _ => ExportFormat.Yaml };
        var export = new Command("export", "Write back the contract as read: a valid contract comes out as the same document. Exit 1 when it breaks the standard (written anyway, errors on stderr), 2 when it cannot be read.")
        {
            file, format,
        };
        export.SetAction(result => RunExport(result.GetValue(file)!, result.GetValue(format)));
        return export;
    }

    private static int RunExport(string path, ExportFormat format)
    {
        try
        {
            var text = File.ReadAllText(path);
            var read = ContractReader.Read(text, path);
            foreach (var error in read.Errors)
            {
                ErrorOutput.Write(error.ToString());
            }

            Console.Write(format == ExportFormat.Json ? ContractExport.Json(read.Contract) : ContractExport.Yaml(text, path));
            return read.IsValid ? 0 : 1;
        }
        catch (DocumentParseException error)
        {
            ErrorOutput.Write(error.Error.ToString());
            return 2;
        }
        catch (IOException error)
        {
            ErrorOutput.Write($"{path}: {error.Message}");
            return 2;
        }
    }

    private enum ExportFormat
    {
        Yaml,
        Json,
    }

    private static int Diff(string beforePath, string afterPath, OutputFormat format)
    {
        var before = Read(beforePath);
        var after = Read(afterPath);
        if (before is null || after is null)
        {
            return 2;
        }

        var check = VersionCheck.Of(before, after);
        if (format == OutputFormat.Json)
        {
            CliJson.Write(new
            {
                before = check.Before.ToString(),
                after = check.After.ToString(),
                required = check.Required,
                released = check.Released,
                allowed = check.Allowed,
                verdict = check.Verdict,
                changes = check.Changes,
            });
            return check.Allowed ? 0 : 1;
        }

        var table = new Table().AddColumns("class", "path", "change");
        foreach (var change in check.Changes.OrderByDescending(c => c.Class))
        {
            var classColour = change.Class switch { ChangeClass.Major => "red", ChangeClass.Minor => "yellow", _ => "grey" };
            table.AddRow(new Markup($"[{classColour}]{change.Class.ToString().ToUpperInvariant()}[/]"), new Text(change.Path), new Text(change.Description));
        }

        if (check.Changes.Count > 0)
        {
            AnsiConsole.Write(table);
        }
        else
        {
            AnsiConsole.MarkupLine("No changes.");
        }

        var colour = check.Allowed ? "green" : "red";
        AnsiConsole.MarkupLineInterpolated($"[{colour}]{check.Verdict}[/]");
        return check.Allowed ? 0 : 1;
    }

    private static DataContract? Read(string path)
    {
        try
        {
            var result = ContractReader.Read(File.ReadAllText(path), path);
            foreach (var error in result.Errors)
            {
                ErrorOutput.Write(error.ToString());
            }

            if (result.Contract.Version is null)
            {
                ErrorOutput.Write($"{path}: the contract has no valid version, so versions cannot be compared.");
                return null;
            }

            return result.Contract;
        }
        catch (DocumentParseException error)
        {
            ErrorOutput.Write(error.Error.ToString());
            return null;
        }
        catch (IOException error)
        {
            ErrorOutput.Write($"{path}: {error.Message}");
            return null;
        }
    }

}
