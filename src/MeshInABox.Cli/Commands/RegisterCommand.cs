using System.CommandLine;
using MeshInABox.Cli.Registry;
using MeshInABox.Cli.Rendering;
using Spectre.Console;

namespace MeshInABox.Cli.Commands;

/// <summary><c>mesh register</c>: push a mesh repo into the running mesh's registry (or any registry).</summary>
public static class RegisterCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("path") { Description = "The mesh repo.", DefaultValueFactory = _ => "." };
        var dataDirectory = CommonOptions.DataDirectory();
        var registryUrl = CommonOptions.ServiceUrl("--registry", "A registry's URL, instead of the mesh in --data-dir.");
        var token = new Option<string?>("--token") { Description = "Bearer token for --registry (or set MESH_TOKEN)." };
        var noWait = new Option<bool>("--no-wait") { Description = "Do not wait for the versions to be validated." };
        var format = CommonOptions.Format();
        var command = new Command("register", "Register every product of a mesh repo and publish its contracts. Running it twice changes nothing.")
        {
            path, dataDirectory, registryUrl, token, noWait, format,
        };
        command.SetAction(async (result, ct) =>
        {
            var (url, bearer, error) = await RegistryTarget.ResolveAsync(result.GetValue(registryUrl), result.GetValue(token), result.GetValue(dataDirectory)!, "mesh-register", ct);
            if (error is not null)
            {
                ErrorOutput.Write(error);
                return 2;
            }

            using var registry = RegistryClient.Create(url!, bearer!);
            IReadOnlyList<RepoRegistration.Line> lines;
            try
            {
                lines = await new RepoRegistration(registry).RunAsync(result.GetValue(path)!, !result.GetValue(noWait), ct);
            }
            catch (HttpRequestException failure)
            {
                ErrorOutput.Write($"The registry at {url} did not answer as expected: {failure.Message}");
                return 2;
            }

            Render(lines, result.GetValue(format));
            return lines.Any(l => l.Failed) ? 1 : 0;
        });
        return command;
    }

    private static void Render(IReadOnlyList<RepoRegistration.Line> lines, OutputFormat format)
    {
        if (format == OutputFormat.Json)
        {
            CliJson.Write(lines);
            return;
        }

        var table = new Table().AddColumns("product", "version", "outcome");
        foreach (var line in lines)
        {
            var colour = line.Failed ? "red" : "green";
            var details = line.Details.Count == 0 ? "" : "\n" + string.Join("\n", line.Details.Select(d => "  " + d));
            table.AddRow(new Text(line.Product), new Text(line.Version ?? ""), new Markup($"[{colour}]{Markup.Escape(line.Outcome + details)}[/]"));
        }

        AnsiConsole.Write(table);
    }
}
