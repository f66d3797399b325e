using System.CommandLine;
using MeshInABox.Hosting;

namespace MeshInABox.Cli.Commands;

/// <summary>Options several commands share, defined once so they read the same everywhere.</summary>
public static class CommonOptions
{
    public static Option<string> DataDirectory() => new("--data-dir")
    {
        Description = "The mesh's data directory (cluster, state, lake).",
        DefaultValueFactory = _ => EmbeddedMeshOptions.DefaultDataDirectory,
        HelpName = "DIR",
    };

    public static Option<OutputFormat> Format() => new("--format")
    {
        Description = "Output for people (table) or scripts (json).",
        DefaultValueFactory = _ => OutputFormat.Table,
    };
}

public enum OutputFormat
{
    Table,
    Json,
}
