using System.CommandLine;
using MeshInABox.Cli.Rendering;
using MeshInABox.Domain.Contracts;
using MeshInABox.Domain.Documents;
using MeshInABox.Domain.Versioning;
using Spectre.Console;

namespace MeshInABox.Cli.Commands;

/// <summary><c>mesh contract diff &lt;old&gt; &lt;new&gt;</c>: what changed, and whether the version moved enough.</summary>
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
        return new Command("contract", "Work with ODCS data contracts.") { diff };
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
