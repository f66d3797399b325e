using System.CommandLine;
using System.Text.Json.Nodes;
using MeshInABox.Cli.Rendering;
using MeshInABox.Domain.Governance;
using MeshInABox.Lineage;
using MeshInABox.MeshRepository;
using Spectre.Console;

namespace MeshInABox.Cli.Commands;

/// <summary><c>mesh validate [path]</c>: the governance policies over a mesh repo, offline, for CI; transforms' lineage included.</summary>
public static class ValidateCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("path")
        {
            Description = "The mesh repo: a folder of <domain>/<product>/dataproduct.json.",
            DefaultValueFactory = _ => ".",
        };
        var format = CommonOptions.Format();
        var command = new Command("validate", "Check every product of a mesh repo against the governance policies. Exit 0 clean, 1 violations, 2 unreadable input.")
        {
            path, format,
        };
        command.SetAction(result => Run(result.GetValue(path)!, result.GetValue(format)));
        return command;
    }

    private static int Run(string path, OutputFormat format)
    {
        var report = MeshRepositoryValidator.Validate(path);
        if (format == OutputFormat.Json)
        {
            CliJson.Write(new
            {
                root = report.Root,
                products = report.Products,
                rulesEvaluated = report.RulesEvaluated,
                errors = report.Errors,
                warnings = report.Warnings,
                exitCode = report.ExitCode,
                findings = report.Findings.Select(f => new
                {
                    file = f.Location.File,
                    line = f.Location.Line,
                    column = f.Location.Column,
                    severity = f.Severity,
                    kind = f.Kind,
                    policy = f.PolicyId,
                    message = f.Message,
                    fix = f.Fix,
                }),
                lineage = report.Lineage.Select(Lineage),
            });
            return report.ExitCode;
        }

        foreach (var finding in report.Findings)
        {
            // file:line:column: severity policy: message — the form editors and CI annotate.
            var colour = finding.Severity == Severity.Error ? "red" : "yellow";
            var severity = finding.Severity.ToString().ToLowerInvariant();
            AnsiConsole.MarkupLineInterpolated(
                $"{finding.Location}: [{colour}]{severity}[/] {finding.PolicyId ?? "unreadable"}: {finding.Message}");
            if (finding.Fix is not null)
            {
                AnsiConsole.MarkupLineInterpolated($"    [grey]fix: {finding.Fix}[/]");
            }
        }

        var summary = $"{report.Products} product(s) checked against {report.RulesEvaluated} rule(s): {report.Errors} error(s), {report.Warnings} warning(s).";
        var summaryColour = report.ExitCode == ValidationReport.Clean ? "green" : "red";
        AnsiConsole.MarkupLineInterpolated($"[{summaryColour}]{summary}[/]");
        return report.ExitCode;
    }

    /// <summary>Which output it is, then the shape <c>mesh lineage --format json</c> prints.</summary>
    private static JsonObject Lineage(OutputLineage lineage)
    {
        var json = new JsonObject { ["product"] = lineage.Product, ["output"] = lineage.Output, ["file"] = lineage.File };
        var statement = LineageJson.ToJson(lineage.Result);
        foreach (var name in statement.Select(p => p.Key).ToList())
        {
            var value = statement[name];
            statement.Remove(name);
            json[name] = value;
        }

        return json;
    }
}
