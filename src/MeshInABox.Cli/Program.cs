using System.CommandLine;
using MeshInABox.Cli.Commands;
using Spectre.Console;

// Piped output is for scripts and CI logs: one finding per line, never wrapped at 80 columns.
if (Console.IsOutputRedirected)
{
    AnsiConsole.Profile.Width = int.MaxValue / 2;
}

// Signals are handled by the commands that own processes (mesh up), not by the parser.
var parsed = MeshCommand.Create().Parse(args);
var exitCode = await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });

// Bad options are bad input (2), as every command reports it; 1 means the input was read and found wanting.
return parsed.Errors.Count > 0 ? 2 : exitCode;
