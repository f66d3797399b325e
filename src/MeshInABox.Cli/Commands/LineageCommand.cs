using System.CommandLine;
using MeshInABox.Cli.Rendering;
using MeshInABox.Lineage;
using MeshInABox.MeshRepository;
using Spectre.Console;

namespace MeshInABox.Cli.Commands;

/// <summary>
/// <c>mesh lineage [--domain D] [--catalog DIR] &lt;file.sql | -&gt;</c>: one statement's target, sources and column
/// lineage, bound against the tables a mesh repository's contracts describe. The SQL is never run.
/// </summary>
public static class LineageCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "The SQL statement: a file, or - for standard input." };
        var format = CommonOptions.Format();
        var domain = new Option<string?>("--domain")
        {
            Description = "The domain unqualified names resolve in (product.table). Default: the domain folder the file lies in, within the catalog.",
            HelpName = "DOMAIN",
        };
        var catalog = new Option<string?>("--catalog")
        {
            Description = $"The mesh repository whose contracts name the known tables (domain.product_name.output). Default: {CommonOptions.DefaultRepository} when it exists, else the current folder.",
            HelpName = "DIR",
        };
        var command = new Command("lineage", "Show which tables a SQL statement reads and writes and which source columns each output column derives from. Exit 0 lineage shown, 1 the statement is refused (syntax, unknown table), 2 unreadable input.")
        {
            file, format, domain, catalog,
        };
        command.SetAction(result => Run(result.GetValue(file)!, result.GetValue(format), result.GetValue(domain), result.GetValue(catalog)));
        return command;
    }

    private static int Run(string file, OutputFormat format, string? domain, string? catalogDirectory)
    {
        var root = catalogDirectory ?? (Directory.Exists(CommonOptions.DefaultRepository) ? CommonOptions.DefaultRepository : ".");
        if (!Directory.Exists(root))
        {
            ErrorOutput.Write($"The catalog folder {root} does not exist.");
            return 2;
        }

        string sql;
        try
        {
            sql = Read(file);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or ArgumentException)
        {
            ErrorOutput.Write($"{file}: {error.Message}");
            return 2;
        }

        var (catalog, skipped) = MeshRepositoryCatalog.Read(root, domain ?? DomainFolderOf(file, root));
        foreach (var problem in skipped)
        {
            Console.Error.WriteLine($"warning: {problem}");
        }

        using var analyzer = new LineageAnalyzer(catalog);
        var result = analyzer.Analyze(sql);
        if (format == OutputFormat.Json)
        {
            CliJson.Write(LineageJson.ToJson(result));
        }
        else
        {
            Show(file, result);
        }

        return result.Error is null ? 0 : 1;
    }

    /// <summary>At most one character past the limit: the analyzer refuses longer statements, so more is never read.</summary>
    private static string Read(string file)
    {
        using var reader = file == "-" ? new StreamReader(Console.OpenStandardInput()) : new StreamReader(file);
        var buffer = new char[LineageAnalyzer.MaxSqlLength + 1];
        var length = reader.ReadBlock(buffer, 0, buffer.Length);
        return new string(buffer, 0, length);
    }

    /// <summary>The domain a file within the catalog lies in: <c>&lt;root&gt;/&lt;domain&gt;/&lt;product&gt;/...</c>.</summary>
    private static string? DomainFolderOf(string file, string root)
    {
        if (file == "-")
        {
            return null;
        }

        var relative = Path.GetRelativePath(Path.GetFullPath(root), Path.GetFullPath(file));
        var parts = relative.Split(Path.DirectorySeparatorChar);
        return parts.Length >= 3 && parts[0] != ".." && !Path.IsPathRooted(relative) ? parts[0] : null;
    }

    private static void Show(string file, LineageResult result)
    {
        if (result.Error is { } error)
        {
            ErrorOutput.Write($"{file}{(error.Position is { } p ? $" (character {p + 1})" : "")}: {error.Message}");
            return;
        }

        Console.WriteLine($"target:  {result.Target ?? "(a query: no target)"}");
        Console.WriteLine($"sources: {(result.Sources.Count == 0 ? "(none)" : string.Join(", ", result.Sources))}");
        foreach (var (column, edges) in result.Columns)
        {
            var from = edges.Count == 0
                ? "(no source column)"
                : string.Join(", ", edges.Select(e => $"{e.Source} {(e.Type == EdgeType.Direct ? "DIRECT" : "INDIRECT")}/{LineageJson.Subtype(e.Subtype)}"));
            Console.WriteLine($"  {column} <- {from}");
        }

        if (result.Dataset.Count > 0)
        {
            Console.WriteLine($"rows decided by: {string.Join(", ", result.Dataset.Select(e => $"{e.Source} {LineageJson.Subtype(e.Subtype)}"))}");
        }

        if (result.Undetermined is { } reason)
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]undetermined:[/] {reason}");
        }
    }
}
