using System.Globalization;
using System.CommandLine;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MeshInABox.Cli.Rendering;
using MeshInABox.Domain.Access;
using MeshInABox.Domain.Naming;
using MeshInABox.Hosting.State;
using Spectre.Console;
using MeshInABox.ServiceDefaults;

namespace MeshInABox.Cli.Commands;

/// <summary><c>mesh query "SQL"</c>: SQL over data products through the running mesh's lakehouse service.</summary>
public static class QueryCommand
{
    public static Command Create()
    {
        var sql = new Argument<string>("sql") { Description = "One SELECT naming data products as domain.product.table." };
        var dataDirectory = CommonOptions.DataDirectory();
        var format = CommonOptions.Format();
        var token = new Option<string?>("--token")
        {
            Description = "Bearer token to query as (or set MESH_TOKEN). Default: a read-only token minted from the mesh's local key "
                + $"for your user name ({Environment.UserName}), so a restricted product answers when that name holds a grant.",
            HelpName = "TOKEN",
        };
        var command = new Command("query", "Run SQL over data products (profile iteration-2 and later) and print the rows.") { sql, dataDirectory, token, format };
        command.SetAction(async (result, ct) =>
        {
            var directory = Path.GetFullPath(result.GetValue(dataDirectory)!);
            var state = await MeshState.ReadAsync(directory, ct);
            if (state is null || !state.IsRunning || !state.Services.TryGetValue("lakehouse", out var lakehouse))
            {
                ErrorOutput.Write($"No mesh with a lakehouse service is running from {directory}: start one with 'mesh up --profile iteration-2'.");
                return 2;
            }

            using var http = new HttpClient { BaseAddress = lakehouse, Timeout = Timeout.InfiniteTimeSpan };
            if ((result.GetValue(token) ?? Environment.GetEnvironmentVariable("MESH_TOKEN") ?? MintLocal(directory)) is { Length: > 0 } bearer)
            {
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            }

            using var response = await http.PostAsJsonAsync(new Uri("query", UriKind.Relative), new { sql = result.GetValue(sql) }, ct);
            if (!response.IsSuccessStatusCode)
            {
                ErrorOutput.Write(await DescribeAsync(response, ct));
                return 1;
            }

            var rows = new List<JsonElement>();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                var row = JsonDocument.Parse(line).RootElement.Clone();
                if (row.TryGetProperty("error", out var error) && row.EnumerateObject().Count() == 1)
                {
                    ErrorOutput.Write(error.GetString()!);
                    return 1;
                }

                rows.Add(row);
            }

            if (result.GetValue(format) == OutputFormat.Json)
            {
                CliJson.Write(rows);
                return 0;
            }

            var table = new Table();
            foreach (var column in rows.FirstOrDefault().ValueKind == JsonValueKind.Object ? rows[0].EnumerateObject().Select(p => p.Name) : [])
            {
                table.AddColumn(Markup.Escape(column));
            }

            foreach (var row in rows)
            {
                table.AddRow(row.EnumerateObject().Select(p => Markup.Escape(p.Value.ValueKind == JsonValueKind.Null ? "" : p.Value.ToString())).ToArray());
            }

            AnsiConsole.Write(table);
            var atLimit = response.Headers.TryGetValues("X-Mesh-Row-Limit", out var limit) && limit.FirstOrDefault() == rows.Count.ToString(CultureInfo.InvariantCulture);
            AnsiConsole.MarkupLineInterpolated($"[grey]{rows.Count} row(s){(atLimit ? " (the service's row limit: there may be more)" : "")}[/]");
            return 0;
        });
        return command;
    }

    /// <summary>The local user's token, as <c>mesh token --subject $USER --scope dpr.read</c> would print it; null (anonymous) when that name is no valid subject.</summary>
    private static string? MintLocal(string dataDirectory)
    {
        var key = MeshState.SigningKeyPath(dataDirectory);
        return MeshNames.Subject(Environment.UserName) is null && File.Exists(key)
            ? LocalTokens.Issue(key, Environment.UserName, [], [MeshAccess.ReadScope], TimeSpan.FromMinutes(30))
            : null;
    }

    private static async Task<string> DescribeAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var body = await response.Content.ReadAsStringAsync(ct);
        try
        {
            using var problem = JsonDocument.Parse(body);
            if (problem.RootElement.ValueKind == JsonValueKind.Object
                && (problem.RootElement.TryGetProperty("detail", out var text) || problem.RootElement.TryGetProperty("title", out text))
                && text.GetString() is { } message)
            {
                return message;
            }
        }
        catch (JsonException)
        {
            // Not a problem document (a proxy's page): the status says enough.
        }

        return $"{(int)response.StatusCode} {response.ReasonPhrase}";
    }
}
