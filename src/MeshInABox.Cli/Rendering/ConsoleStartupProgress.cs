using MeshInABox.Hosting;
using Spectre.Console;

namespace MeshInABox.Cli.Rendering;

/// <summary>A spinner while a step runs (when interactive), then a line with its outcome and time.</summary>
public sealed class ConsoleStartupProgress : IStartupProgress
{
    public async Task<T> StepAsync<T>(string title, Func<CancellationToken, Task<(T Result, string Outcome)>> step, CancellationToken ct)
    {
        var started = TimeProvider.System.GetTimestamp();
        try
        {
            var (result, outcome) = await AnsiConsole.Status().StartAsync($"{title}...", _ => step(ct));
            var elapsed = TimeProvider.System.GetElapsedTime(started);
            AnsiConsole.MarkupLineInterpolated($"[green]✓[/] {title}: {outcome} [grey]({elapsed.TotalSeconds:0.0} s)[/]");
            return result;
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]✗[/] {title}");
            throw;
        }
    }
}
