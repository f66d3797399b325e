using System.CommandLine;
using MeshInABox.Cli.Commands;

// Signals are handled by the commands that own processes (mesh up), not by the parser.
return await MeshCommand.Create()
    .Parse(args)
    .InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
