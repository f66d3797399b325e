using System.CommandLine;
using MeshInABox.Hosting;

namespace MeshInABox.Cli.Commands;

/// <summary>Options several commands share, defined once so they read the same everywhere.</summary>
public static class CommonOptions
{
    /// <summary>Where the sample mesh lives in a checkout of this repository.</summary>
    public const string DefaultRepository = "samples/messflix";

    public static Option<string> DataDirectory() => new("--data-dir")
    {
        Description = "The mesh's data directory (cluster, state, lake).",
        DefaultValueFactory = _ => EmbeddedMeshOptions.DefaultDataDirectory,
        HelpName = "DIR",
    };

    /// <summary>Mesh repositories (repeatable); the sample mesh under the current directory when none is given and it exists.</summary>
    public static Option<string[]> Repositories() => new("--repo")
    {
        Description = $"A mesh repository whose product folders may hold file outputs; repeat for several. Default: {DefaultRepository} when it exists.",
        HelpName = "DIR",
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>A service's absolute http(s) URL; anything else is a parse error (exit 2), not a crash.</summary>
    public static Option<Uri?> ServiceUrl(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "URL",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            if (Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
            {
                return url;
            }

            result.AddError($"{name} must be an absolute http or https URL, not '{text}'.");
            return null;
        },
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
