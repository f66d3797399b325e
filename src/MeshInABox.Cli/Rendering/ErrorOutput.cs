using Spectre.Console;

namespace MeshInABox.Cli.Rendering;

/// <summary>Errors go to stderr as one readable message, never a stack trace.</summary>
public static class ErrorOutput
{
    private static readonly IAnsiConsole Console = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(System.Console.Error),
    });

    public static void Write(string message) => Console.MarkupLineInterpolated($"[red]error:[/] {message}");
}
