using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text;
using MeshInABox.Cli.Commands;
using MeshInABox.Testing;

namespace MeshInABox.Cli.Tests;

/// <summary>
/// Every command in the bash blocks of README.md and docs/getting-started.md, run as written, in order, in one
/// shell, against the mesh the page's own <c>./mesh up</c> starts: so the pages a newcomer follows cannot drift.
/// The shell runs in a view of the checkout (every top-level entry linked) with a data directory of its own;
/// <c>./mesh</c> there runs the CLI this test project built. The only change made to a command: the mesh
/// listens on free ports instead of 5180 and 5181, so <c>--port</c> is added to <c>./mesh up</c> and the URLs follow.
/// </summary>
[UnsupportedOSPlatform("windows")] // bash
public sealed class DocumentedCommandsTests : IDisposable
{
    /// <summary>The registry's documented port; the lakehouse listens on the next one.</summary>
    private const int DocumentedPort = 5180;

    /// <summary>Commands this test does not run, by prefix, each with the reason.</summary>
    private static readonly (string Prefix, string Reason)[] RunElsewhere =
    [
        ("eng/install-prerequisites.sh && dotnet test", "the test command itself"),
        ("dotnet run --project MeshInABox.AppHost", "the Aspire host; WholeStackTests start it where a container engine runs"),
        ("ASPIRE_ALLOW_UNSECURED_TRANSPORT=true dotnet run --project MeshInABox.AppHost", "the Aspire host; WholeStackTests start it where a container engine runs"),
        ("dotnet pack", "packing the CLI as a tool; not a mesh command"),
        ("dotnet tool install", "installing the packed tool; not a mesh command"),
    ];

    private readonly string _root = TemporaryDirectory.Create("mesh-docs-");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("README.md")]
    [InlineData("docs/getting-started.md")]
    public async Task Every_command_on_the_page_runs_as_written(string page)
    {
        var ct = TestContext.Current.CancellationToken;
        var commands = Commands(File.ReadAllText(Path.Combine(RepositoryLayout.Root, page)));
        var work = CheckoutView();
        var port = TwoFreePorts();

        var script = Script(commands, port);
        var (exitCode, output, error) = await BashAsync(work, script, ct);

        Assert.True(exitCode == 0, $"{page}: a command failed (exit {exitCode}).\nstderr:\n{error}\nstdout:\n{output}");
        Assert.Contains(commands, c => c.Contains("./mesh up", StringComparison.Ordinal));
    }

    [Fact]
    public void Commands_are_read_from_bash_blocks_only_with_continuations_joined()
    {
        var page = """
            text
            ```bash
            ./mesh one   # a comment
            # only a comment

            ./mesh two \
              --flag
            ```
            ```json
            {"not": "a command"}
            ```
            """;

        Assert.Equal(["./mesh one   # a comment", "./mesh two --flag"], Commands(page));
    }

    /// <summary>The commands of a page's <c>```bash</c> blocks, continuation lines joined, comment-only lines dropped.</summary>
    private static List<string> Commands(string page)
    {
        var commands = new List<string>();
        var inBash = false;
        var pending = new StringBuilder();
        foreach (var raw in page.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inBash = !inBash && line.Trim() == "```bash";
                continue;
            }

            if (!inBash)
            {
                continue;
            }

            var text = line.Trim();
            if (text.EndsWith('\\'))
            {
                pending.Append(text[..^1].TrimEnd()).Append(' ');
                continue;
            }

            pending.Append(text);
            var command = pending.ToString().Trim();
            pending.Clear();
            if (command.Length > 0 && !command.StartsWith('#'))
            {
                commands.Add(command);
            }
        }

        return commands;
    }

    /// <summary>
    /// One bash script: each command echoed, then run; the first <c>./mesh up</c> started in the background and
    /// waited for until its state file exists; the mesh stopped with SIGTERM at the end and its exit checked.
    /// </summary>
    private static string Script(IEnumerable<string> commands, int port)
    {
        var script = new StringBuilder("""
            set -euo pipefail
            mesh_pid=""
            stop_mesh() { if [ -n "$mesh_pid" ]; then kill -TERM "$mesh_pid" 2>/dev/null || true; wait "$mesh_pid" 2>/dev/null || true; fi; }
            trap stop_mesh EXIT

            """);
        var started = false;
        foreach (var command in commands)
        {
            if (RunElsewhere.FirstOrDefault(r => command.StartsWith(r.Prefix, StringComparison.Ordinal)) is { Prefix: not null } skipped)
            {
                script.AppendLine(FormattableString.Invariant($"echo {Quote($"# not run here ({skipped.Reason}): {command}")} >&2"));
                continue;
            }

            script.AppendLine(FormattableString.Invariant($"echo {Quote("$ " + command)} >&2"));
            if (command.Contains("./mesh up", StringComparison.Ordinal))
            {
                Assert.False(started, $"A second './mesh up' on one page ({command}): write alternatives in a text block, not a bash one.");
                started = true;
                // In a subshell that becomes the mesh (exec), so $! is the mesh's PID and SIGTERM reaches it.
                var up = WithoutComment(command).Replace("./mesh up", "exec ./mesh up", StringComparison.Ordinal);
                script.AppendLine(FormattableString.Invariant($"( {up} --port {port} ) > mesh-up.log 2>&1 &"));
                script.AppendLine("""
                    mesh_pid=$!
                    for _ in $(seq 1 1200); do
                      [ -f .mesh/state.json ] && break
                      kill -0 "$mesh_pid" 2>/dev/null || { echo "mesh up exited:" >&2; cat mesh-up.log >&2; exit 1; }
                      sleep 0.25
                    done
                    [ -f .mesh/state.json ] || { echo "mesh up was not ready within 5 minutes:" >&2; cat mesh-up.log >&2; exit 1; }
                    """);
                continue;
            }

            script.AppendLine(command
                .Replace(FormattableString.Invariant($"127.0.0.1:{DocumentedPort + 1}"), FormattableString.Invariant($"127.0.0.1:{port + 1}"), StringComparison.Ordinal)
                .Replace(FormattableString.Invariant($"127.0.0.1:{DocumentedPort}"), FormattableString.Invariant($"127.0.0.1:{port}"), StringComparison.Ordinal));
        }

        script.AppendLine("""
            if [ -n "$mesh_pid" ]; then
              kill -TERM "$mesh_pid"; status=0; wait "$mesh_pid" || status=$?; mesh_pid=""
              [ "$status" -eq 0 ] || { echo "mesh up exited with $status on SIGTERM:" >&2; cat mesh-up.log >&2; exit 1; }
            fi
            """);
        return script.ToString();
    }

    /// <summary>A free port whose next one is free too (the registry's and the lakehouse's).</summary>
    private static int TwoFreePorts()
    {
        while (true)
        {
            var port = MeshInABox.Postgres.LocalCluster.Ports.FindFree();
            if (port < 65535 && !MeshInABox.Postgres.LocalCluster.Ports.IsInUse(port + 1))
            {
                return port;
            }
        }
    }

    private static string WithoutComment(string command)
    {
        var hash = command.IndexOf(" #", StringComparison.Ordinal);
        return hash < 0 ? command : command[..hash].TrimEnd();
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>A directory that looks like the checkout (every top-level entry linked) with no mesh data, and a <c>./mesh</c> that runs the built CLI.</summary>
    private string CheckoutView()
    {
        var view = Directory.CreateDirectory(Path.Combine(_root, "checkout")).FullName;
        foreach (var entry in Directory.EnumerateFileSystemEntries(RepositoryLayout.Root))
        {
            var name = Path.GetFileName(entry);
            if (name is not (".git" or ".mesh" or ".mesh-cli" or "mesh"))
            {
                File.CreateSymbolicLink(Path.Combine(view, name), entry);
            }
        }

        var mesh = Path.Combine(view, "mesh");
        File.WriteAllText(mesh, $"#!/bin/sh\nexec dotnet '{typeof(MeshCommand).Assembly.Location}' \"$@\"\n");
        File.SetUnixFileMode(mesh, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return view;
    }

    private async Task<(int ExitCode, string Output, string Error)> BashAsync(string workingDirectory, string script, CancellationToken ct)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.Environment["TMPDIR"] = _root;
        start.Environment.Remove("ConnectionStrings__meshdb");
        start.Environment.Remove("MESH_TOKEN");

        using var bash = Process.Start(start)!;
        var output = bash.StandardOutput.ReadToEndAsync(ct);
        var error = bash.StandardError.ReadToEndAsync(ct);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromMinutes(10));
        try
        {
            await bash.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            bash.Kill(entireProcessTree: true);
            throw new TimeoutException($"The page's commands did not finish within 10 minutes.\nstderr:\n{await error}");
        }

        return (bash.ExitCode, await output, await error);
    }
}
