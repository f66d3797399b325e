using System.CommandLine;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using MeshInABox.Cli.Rendering;
using MeshInABox.Hosting;
using MeshInABox.Hosting.State;

namespace MeshInABox.Cli.Commands;

/// <summary><c>mesh status</c>: what is running from a data directory, and whether it is healthy.</summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var dataDirectory = CommonOptions.DataDirectory();
        var format = CommonOptions.Format();
        var command = new Command("status", "Show the running mesh's services, URLs and health. Exit 0 when all are healthy.")
        {
            dataDirectory, format,
        };
        command.SetAction((result, ct) => RunAsync(result.GetValue(dataDirectory)!, result.GetValue(format), ct));
        return command;
    }

    private static async Task<int> RunAsync(string dataDirectory, OutputFormat format, CancellationToken ct)
    {
        var directory = Path.GetFullPath(dataDirectory);
        MeshState? state;
        try
        {
            state = await MeshState.ReadAsync(directory, ct);
        }
        catch (MeshHostException error)
        {
            ErrorOutput.Write(error.Message);
            return 2;
        }

        if (state is null || !state.IsRunning)
        {
            var reason = state is null
                ? $"No mesh is running from {directory} (no {MeshState.FileName}). Start one with 'mesh up --data-dir {dataDirectory}'."
                : $"The mesh recorded in {directory} (pid {state.Pid}) is not running; its state file is stale.";
            if (format == OutputFormat.Json)
            {
                CliJson.Write(new { running = false, reason });
            }
            else
            {
                ErrorOutput.Write(reason);
            }

            return 1;
        }

        var services = new Dictionary<string, ServiceHealth>();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        foreach (var (name, url) in state.Services)
        {
            services[name] = await ProbeAsync(http, url, ct);
        }

        var postgresReachable = await IsReachableAsync(state.Postgres.Host, state.Postgres.Port, ct);
        var healthy = postgresReachable && services.Values.All(s => s.Health == "Healthy");
        if (format == OutputFormat.Json)
        {
            CliJson.Write(
                new { running = true, healthy, state.Pid, state.Profile, state.DataDirectory, state.StartedAt, services, postgres = new { state.Postgres, reachable = postgresReachable } });
        }
        else
        {
            MeshStateView.RenderHealth(state, services, postgresReachable);
        }

        return healthy ? 0 : 1;
    }

    private static async Task<ServiceHealth> ProbeAsync(HttpClient http, Uri url, CancellationToken ct)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(url, "/health"), ct);
            var report = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            var status = report.TryGetProperty("status", out var s) ? s.GetString() ?? "Unknown" : "Unknown";
            return new ServiceHealth(url, status, (int)response.StatusCode);
        }
        catch (Exception error) when (error is HttpRequestException or TaskCanceledException or JsonException && !ct.IsCancellationRequested)
        {
            return new ServiceHealth(url, "Unreachable", null, error.Message);
        }
    }

    private static async Task<bool> IsReachableAsync(string host, int port, CancellationToken ct)
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await client.ConnectAsync(host, port, timeout.Token);
            return true;
        }
        catch (Exception error) when (error is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }

}

/// <summary>One service's answer to <c>/health</c>.</summary>
public sealed record ServiceHealth(Uri Url, string Health, int? HttpStatus, string? Error = null);
