using MeshInABox.Cli.Commands;
using MeshInABox.Domain.Profiles;
using MeshInABox.Hosting.State;
using Spectre.Console;

namespace MeshInABox.Cli.Rendering;

/// <summary>Tables of a mesh's services for people.</summary>
public static class MeshStateView
{
    public static void Render(MeshState state, string headline)
    {
        var table = new Table().AddColumns("service", "url");
        foreach (var (name, url) in state.Services)
        {
            table.AddRow(name, url.ToString());
            table.AddRow($"  {name} API reference", ApiReference(url).ToString());
        }

        table.AddRow("postgres", Describe(state.Postgres));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"Data directory: {state.DataDirectory}{(state.Ephemeral ? " (ephemeral)" : "")}");
        AnsiConsole.MarkupLineInterpolated($"[bold green]{headline}[/]");
    }

    /// <summary>Where a service's API reference UI is.</summary>
    public static Uri ApiReference(Uri service) => new(service, MeshTopology.ApiReferencePath);

    public static void RenderHealth(MeshState state, IReadOnlyDictionary<string, ServiceHealth> services, bool postgresReachable)
    {
        AnsiConsole.MarkupLineInterpolated($"Mesh {state.Profile}, pid {state.Pid}, up since {state.StartedAt:u}, data {state.DataDirectory}");
        var table = new Table().AddColumns("service", "url", "health");
        foreach (var (name, health) in services)
        {
            var colour = health.Health == "Healthy" ? "green" : "red";
            table.AddRow(new Text(name), new Text(health.Url.ToString()), new Markup($"[{colour}]{Markup.Escape(health.Health)}[/]"));
        }

        table.AddRow(new Text("postgres"), new Text(Describe(state.Postgres)),
            new Markup(postgresReachable ? "[green]Reachable[/]" : "[red]Unreachable[/]"));
        AnsiConsole.Write(table);
    }

    private static string Describe(PostgresEndpoint postgres) =>
        $"postgres://{postgres.Username}@{postgres.Host}:{postgres.Port}/{postgres.Database}{(postgres.External ? " (external)" : "")}";
}
