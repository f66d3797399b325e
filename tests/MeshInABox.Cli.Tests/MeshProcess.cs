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
    public static MeshProcess Start(string temporaryRoot, params string[] arguments) => Start(temporaryRoot, new Dictionary<string, string>(), arguments);

    /// <summary>The mesh given the sample mesh as its repository (as its services read it), so its products' files are accepted.</summary>
    public static MeshProcess StartWithSampleMesh(string temporaryRoot, params string[] arguments) =>
        Start(temporaryRoot, new Dictionary<string, string> { ["Locations__RepositoryRoots__0"] = MeshInABox.Testing.RepositoryLayout.SampleMesh }, arguments);

    /// <param name="environment">Variables added to the child's environment.</param>
    public static MeshProcess Start(string temporaryRoot, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var cli = typeof(MeshCommand).Assembly.Location;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(cli);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["TMPDIR"] = temporaryRoot;
        start.Environment.Remove("ConnectionStrings__meshdb");
        foreach (var (name, value) in environment)
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

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string temporaryRoot, CancellationToken ct, params string[] arguments)
    {
        using var mesh = Start(temporaryRoot, arguments);
        var exitCode = await mesh.WaitForExitAsync(TimeSpan.FromSeconds(60), ct);
        return (exitCode, mesh.Output, mesh.Error);
    }

    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
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
