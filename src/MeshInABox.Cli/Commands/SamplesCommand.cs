using System.CommandLine;
using MeshInABox.MeshRepository.Samples;
using Spectre.Console;

namespace MeshInABox.Cli.Commands;

/// <summary><c>mesh samples generate</c>: the sample mesh's large data, generated rather than committed.</summary>
public static class SamplesCommand
{
    public static Command Create()
    {
        var repo = new Option<string>("--repo")
        {
            Description = "The sample mesh repo.",
            DefaultValueFactory = _ => "samples/messflix",
        };
        var rows = new Option<int>("--rows")
        {
            Description = "How many ad impressions to generate.",
            DefaultValueFactory = _ => 1_000_000,
        };
        rows.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--rows must be at least 1.");
            }
        });

        var generate = new Command("generate", "Generate Team Gray's ad impressions (deterministic: the same rows for the same --rows).")
        {
            repo, rows,
        };
        generate.SetAction(result =>
        {
            var path = Path.Combine(result.GetValue(repo)!, AdImpressionsGenerator.RelativePath);
            var count = result.GetValue(rows);
            var bytes = 0L;
            AnsiConsole.Progress().Start(context =>
            {
                var task = context.AddTask($"ad impressions -> {path}", maxValue: count);
                bytes = AdImpressionsGenerator.Write(path, count, new Progress<int>(done => task.Value = done));
                task.Value = count;
            });
            AnsiConsole.MarkupLineInterpolated($"[green]✓[/] {count:N0} rows, {bytes / 1024.0 / 1024.0:0.0} MiB in {path}");
            return 0;
        });
        return new Command("samples", "Work with the sample mesh.") { generate };
    }
}
