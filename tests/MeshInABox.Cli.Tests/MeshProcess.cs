using System.Diagnostics;
using System.Text;
using MeshInABox.Cli.Commands;

namespace MeshInABox.Cli.Tests;

/// <summary>The real <c>mesh</c> command run as a child process, as a user or script would run it.</summary>
public sealed class MeshProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();

    private MeshProcess(Process process)
    {
        _process = process;
    }

    public int Pid => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public string Error
    {
        get
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }

    /// <param name="temporaryRoot">TMPDIR for the child, so its ephemeral directories land where the test can see them.</param>
    public static MeshProcess Start(string temporaryRoot, params string[] arguments) =>
        Start(temporaryRoot, workingDirectory: null, asBackgroundJob: false, arguments);

    /// <summary>The mesh given the sample mesh as its repository (<c>--repo</c>), so its products' files are accepted.</summary>
    public static MeshProcess StartWithSampleMesh(string temporaryRoot, params string[] arguments) =>
        Start(temporaryRoot, [.. arguments, "--repo", MeshInABox.Testing.RepositoryLayout.SampleMesh]);

    /// <param name="workingDirectory">The child's current directory; null keeps the test's.</param>
    /// <param name="asBackgroundJob">
    /// Run it as a shell script's background job (<c>mesh up &amp;</c>), which starts with SIGINT
    /// ignored; <see cref="Pid"/> is then the shell's, which exits with the job's exit code.
    /// </param>
    public static MeshProcess Start(string temporaryRoot, string? workingDirectory, bool asBackgroundJob, params string[] arguments) =>
        Start(temporaryRoot, workingDirectory, asBackgroundJob, environment: null, arguments);

    /// <param name="environment">Variables to set for the child (a null value removes one).</param>
    public static MeshProcess Start(string temporaryRoot, string? workingDirectory, bool asBackgroundJob, IReadOnlyDictionary<string, string?>? environment, params string[] arguments)
    {
        var cli = typeof(MeshCommand).Assembly.Location;
        var start = new ProcessStartInfo(asBackgroundJob ? "sh" : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        if (asBackgroundJob)
        {
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("\"$@\" & wait $!");
            start.ArgumentList.Add("sh");
            start.ArgumentList.Add("dotnet");
        }

        start.ArgumentList.Add(cli);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["TMPDIR"] = temporaryRoot;
        start.Environment.Remove("ConnectionStrings__meshdb");
        start.Environment.Remove("MESH_TOKEN");
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        var mesh = new MeshProcess(process);
        process.OutputDataReceived += (_, e) => Append(mesh._output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(mesh._error, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return mesh;
    }

    public static Task<(int ExitCode, string Output, string Error)> RunAsync(string temporaryRoot, CancellationToken ct, params string[] arguments) =>
        RunAsync(temporaryRoot, environment: null, ct, arguments);

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string temporaryRoot, IReadOnlyDictionary<string, string?>? environment, CancellationToken ct, params string[] arguments)
    {
        using var mesh = Start(temporaryRoot, workingDirectory: null, asBackgroundJob: false, environment, arguments);
        var exitCode = await mesh.WaitForExitAsync(TimeSpan.FromSeconds(60), ct);
        return (exitCode, mesh.Output, mesh.Error);
    }

    public void Terminate() => Signal(Pid, "TERM");

    /// <summary>Sends <paramref name="signal"/> (TERM, INT, KILL...) to <paramref name="pid"/>, as <c>kill -SIGNAL pid</c> does.</summary>
    public static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"mesh did not exit within {timeout}.\nstdout:\n{Output}\nstderr:\n{Error}");
        }

        _process.WaitForExit(); // drains the output readers
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private static void Append(StringBuilder buffer, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (buffer)
        {
            buffer.AppendLine(line);
        }
    }
}
