using Spectre.Console;

namespace MeshInABox.Cli.Rendering;

/// <summary>Errors go to stderr as one readable message, never a stack trace.</summary>
public static class ErrorOutput
{
    private static readonly IAnsiConsole Console = CreateConsole();

    public static void Write(string message) => Console.MarkupLineInterpolated($"[red]error:[/] {message}");

    private static IAnsiConsole CreateConsole()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(System.Console.Error) });
        if (System.Console.IsErrorRedirected)
        {
            // Scripts grep messages: keep each on one line instead of wrapping at 80 columns.
            console.Profile.Width = int.MaxValue / 2;
        }

        return console;
    }
}
