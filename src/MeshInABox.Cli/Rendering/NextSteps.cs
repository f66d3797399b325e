using MeshInABox.Cli.Loading;
using MeshInABox.Domain.Profiles;
using MeshInABox.Hosting;
using MeshInABox.Hosting.State;
using Spectre.Console;

namespace MeshInABox.Cli.Rendering;

/// <summary>
/// The "try this" block <c>mesh up</c> ends with: only commands that work on this mesh as it
/// is (its profile, what was loaded), spelled as this machine runs the CLI, ready to copy.
/// </summary>
public static class NextSteps
{
    public static void Render(MeshState state, MeshLoader? loader) => AnsiConsole.Write(new Text(Text(state, loader)));

    public static string Text(MeshState state, MeshLoader? loader)
    {
        var mesh = CommandPrefix();
        var dataDirectory = Path.GetFullPath(EmbeddedMeshOptions.DefaultDataDirectory) == state.DataDirectory ? "" : " --data-dir " + Quoted(state.DataDirectory);
        var lines = new List<string> { "Try this:", $"  registry API reference: {new Uri(state.Services[MeshTopology.Registry.Name], "/scalar/v1")}" };
        var repository = state.RepositoryRoots is [var first, ..] ? Quoted(MeshLoader.Display(first)) : null;
        if (loader is null)
        {
            if (repository is not null)
            {
                lines.Add($"  {mesh} register {repository}{dataDirectory}   # nothing is loaded: register its products");
            }
        }
        else if (state.Services.ContainsKey(MeshTopology.Lakehouse.Name) && loader.Tables is [var table, ..])
        {
            var name = $"{table.Name.Domain}.{table.Name.Product.Replace('-', '_')}.{table.Name.Table}";
            lines.Add($"  {mesh} query \"SELECT count(*) AS n FROM {name}\"{dataDirectory}   # {table.Rows:N0} rows");
        }
        else if (repository is not null)
        {
            lines.Add($"  curl {new Uri(state.Services[MeshTopology.Registry.Name], "/data-products")}   # the registered products");
        }

        if (repository is not null)
        {
            lines.Add($"  {mesh} validate {repository}   # the governance policies over the repository");
        }

        return string.Join('\n', lines) + "\n";
    }

    /// <summary>How this machine runs the CLI: the checkout's launcher, a <c>mesh</c> on PATH, or dotnet run in a checkout.</summary>
    private static string CommandPrefix()
    {
        if (File.Exists("mesh") && !OperatingSystem.IsWindows() && File.GetUnixFileMode("mesh").HasFlag(UnixFileMode.UserExecute))
        {
            return "./mesh";
        }

        var path = Environment.GetEnvironmentVariable("PATH")?.Split(Path.PathSeparator) ?? [];
        if (path.Any(directory => directory.Length > 0 && File.Exists(Path.Combine(directory, OperatingSystem.IsWindows() ? "mesh.exe" : "mesh"))))
        {
            return "mesh";
        }

        const string project = "src/MeshInABox.Cli";
        return File.Exists(Path.Combine(project, "MeshInABox.Cli.csproj")) ? $"dotnet run --project {project} --" : "mesh";
    }

    private static string Quoted(string text) =>
        text.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '-' or '_') ? text : "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
