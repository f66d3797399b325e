using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using MeshInABox.Cli.Loading;
using MeshInABox.Cli.Rendering;
using MeshInABox.Domain.Profiles;
using MeshInABox.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using MeshInABox.Postgres.LocalCluster;

namespace MeshInABox.Cli.Commands;

/// <summary><c>mesh up</c>: the embedded host, in the foreground until Ctrl-C or SIGTERM.</summary>
public static class UpCommand
{
    public static Command Create()
    {
        var profile = new Option<string>("--profile")
        {
            Description = "Which iteration of the platform to run; the most complete one by default.",
            DefaultValueFactory = _ => MeshProfile.Latest.Name,
        };
        profile.AcceptOnlyFromAmong([.. MeshProfile.All.Select(p => p.Name), .. MeshProfile.All.Select(p => p.Iteration.ToString(CultureInfo.InvariantCulture))]);
        var dataDirectory = CommonOptions.DataDirectory();
        var ephemeral = new Option<bool>("--ephemeral")
        {
            Description = "Use a temporary data directory, removed when the mesh stops.",
        };
        var port = new Option<int>("--port")
        {
            Description = "Base port: the registry listens here, later services on the next ports; 0 picks free ports.",
            DefaultValueFactory = _ => EmbeddedMeshOptions.DefaultBasePort,
        };
        port.Validators.Add(result =>
        {
            // A value that is no number at all is reported by the parser; reading it here would throw.
            if (Given(result) is { } value && value is < 0 or > 65535)
            {
                result.AddError($"--port must be between 0 and 65535, not {value}.");
            }
        });

        var empty = new Option<bool>("--empty")
        {
            Description = "Load nothing: no products registered, no lakehouse tables filled.",
        };
        var rows = new Option<int>("--rows")
        {
            Description = "How many ad impressions to generate into the lakehouse (iteration-2 and later).",
            DefaultValueFactory = _ => MeshLoader.DefaultRows,
            HelpName = "N",
        };
        rows.Validators.Add(result =>
        {
            if (Given(result) is < 1 and var value)
            {
                result.AddError($"--rows must be at least 1, not {value}.");
            }
        });

        var repositories = CommonOptions.Repositories();
        repositories.Validators.Add(result =>
        {
            foreach (var missing in result.GetValueOrDefault<string[]>()?.Where(r => !Directory.Exists(r)) ?? [])
            {
                result.AddError($"--repo {missing}: no such directory.");
            }
        });

        var command = new Command("up", "Bring the mesh up on this machine (embedded host); Ctrl-C, SIGINT or SIGTERM stops it.")
        {
            profile, dataDirectory, ephemeral, port, repositories, empty, rows,
        };
        command.Validators.Add(result =>
        {
            if (result.GetResult(rows) is not { Implicit: false })
            {
                return;
            }

            if (result.GetValue(empty))
            {
                result.AddError("--rows says how much to load, --empty to load nothing: give one of them.");
            }
            else if (MeshProfile.TryFind(result.GetValue(profile), out var chosen) && !chosen.Has(Plane.Lakehouse))
            {
                result.AddError($"--rows fills lakehouse tables, which {chosen.Name} does not have: use --profile {MeshProfile.Iteration2.Name} or later.");
            }
        });
        command.SetAction((result, ct) =>
        {
            MeshProfile.TryFind(result.GetValue(profile), out var chosen);
            var loader = result.GetValue(empty) ? null : new MeshLoader(result.GetValue(rows));
            var options = new EmbeddedMeshOptions(
                result.GetValue(ephemeral) ? null : result.GetValue(dataDirectory),
                result.GetValue(ephemeral),
                chosen,
                result.GetValue(port),
                Environment.GetEnvironmentVariable("ConnectionStrings__meshdb"),
                RepositoriesOrDefault(result.GetValue(repositories)),
                loader);
            return RunAsync(options, loader, ct);
        });
        return command;
    }

    /// <summary>The integer given on the command line, or null when absent or not a number (the parser reports that).</summary>
    private static int? Given(System.CommandLine.Parsing.OptionResult result) =>
        result.Tokens is [.., var last] && int.TryParse(last.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>The given repositories, else the sample mesh when run from a checkout, else none.</summary>
    private static IReadOnlyList<string> RepositoriesOrDefault(string[]? given)
    {
        if (given is { Length: > 0 })
        {
            return [.. given.Select(Path.GetFullPath)];
        }

        var sample = Path.GetFullPath(CommonOptions.DefaultRepository);
        return Directory.Exists(sample) ? [sample] : [];
    }

    private static async Task<int> RunAsync(EmbeddedMeshOptions options, MeshLoader? loader, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        InterruptSignal.Restore();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var logging = LoggerFactory.Create(logs => logs
            .SetMinimumLevel(LogLevel.Information)
            .AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss ";
            }));

        AnsiConsole.MarkupLineInterpolated($"[bold]MeshInABox[/] {options.Profile.Name}: {options.Profile.Title}");
        AnsiConsole.MarkupLineInterpolated($"Repositories: {(options.RepositoryRoots is { Count: > 0 } roots ? string.Join(", ", roots) : "none (--repo DIR)")}");
        var started = TimeProvider.System.GetTimestamp();
        EmbeddedMesh mesh;
        try
        {
            mesh = await EmbeddedMesh.StartAsync(options, new ConsoleStartupProgress(), logging.CreateLogger("mesh"), stop.Token);
        }
        catch (Exception error) when (error is MeshHostException or LocalClusterException)
        {
            ErrorOutput.Write(error.Message);
            return 1;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            AnsiConsole.MarkupLine("Start-up cancelled; everything started was stopped.");
            return 0;
        }

        await using (mesh)
        {
            var elapsed = TimeProvider.System.GetElapsedTime(started);
            MeshStateView.Render(mesh.State!, $"Mesh is up in {elapsed.TotalSeconds:0.0} s. Ctrl-C stops it.");
            NextSteps.Render(mesh.State!, loader);
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
                AnsiConsole.MarkupLine("Stopping the mesh...");
            }
        }

        AnsiConsole.MarkupLine(options.Ephemeral ? "Stopped; the ephemeral data directory was removed." : "Stopped.");
        return 0;

        void Stop(PosixSignalContext context)
        {
            // Shut down in order instead of letting the runtime exit under the services.
            context.Cancel = true;
            stop.Cancel();
        }
    }
}
