using System.CommandLine;
using MeshInABox.Cli.Registry;
using MeshInABox.Cli.Rendering;
using MeshInABox.Hosting.State;
using Spectre.Console;
using MeshInABox.ServiceDefaults;

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
            var (url, bearer, error) = await ResolveAsync(result.GetValue(registryUrl), result.GetValue(token), result.GetValue(dataDirectory)!, ct);
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

    private static async Task<(Uri?, string?, string?)> ResolveAsync(Uri? url, string? token, string dataDirectory, CancellationToken ct)
    {
        if (url is not null)
        {
            token ??= Environment.GetEnvironmentVariable("MESH_TOKEN");
            return token is null ? (null, null, "--registry needs --token (or MESH_TOKEN).") : (url, token, null);
        }

        var directory = Path.GetFullPath(dataDirectory);
        var state = await MeshState.ReadAsync(directory, ct);
        if (state is null || !state.IsRunning || !state.Services.TryGetValue("registry", out var registry))
        {
            return (null, null, $"No mesh is running from {directory}: start one with 'mesh up', or pass --registry and --token.");
        }

        // The running mesh's own key: a short-lived token for every domain.
        var minted = LocalTokens.Issue(MeshState.SigningKeyPath(directory), "mesh-register", ["*"],
            [Domain.Access.MeshAccess.ReadScope, Domain.Access.MeshAccess.WriteScope], TimeSpan.FromMinutes(30));
        return (registry, minted, null);
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
