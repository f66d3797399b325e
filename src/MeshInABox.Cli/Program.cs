using System.CommandLine;
using MeshInABox.Cli.Commands;
using Spectre.Console;

// Piped output is for scripts and CI logs: one finding per line, never wrapped at 80 columns.
if (Console.IsOutputRedirected)
{
    AnsiConsole.Profile.Width = int.MaxValue / 2;
}

// Signals are handled by the commands that own processes (mesh up), not by the parser.
return await MeshCommand.Create()
    .Parse(args)
    .InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
