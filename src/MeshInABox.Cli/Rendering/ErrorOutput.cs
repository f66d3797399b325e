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
            // As for stdout (Program.cs): one message per line when piped.
            console.Profile.Width = int.MaxValue / 2;
        }

        return console;
    }
}
