using System.CommandLine;

namespace MeshInABox.Cli.Commands;

/// <summary>The root <c>mesh</c> command and its subcommands.</summary>
public static class MeshCommand
{
    public static RootCommand Create() => new("MeshInABox: a self-serve data mesh on one machine.")
    {
        UpCommand.Create(),
        StatusCommand.Create(),
        TokenCommand.Create(),
        CredentialsCommand.Create(),
        RegisterCommand.Create(),
        ValidateCommand.Create(),
        NewCommand.Create(),
        ContractCommand.Create(),
        LineageCommand.Create(),
        SamplesCommand.Create(),
        LakeCommand.Create(),
        QueryCommand.Create(),
    };
}
