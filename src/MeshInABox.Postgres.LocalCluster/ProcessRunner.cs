using System.Diagnostics;

namespace MeshInABox.Postgres.LocalCluster;

/// <summary>Runs a short-lived command, optionally as another OS user, and captures its output.</summary>
public static class ProcessRunner
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public string Combined => string.Join('\n', new[] { Output.Trim(), Error.Trim() }.Where(s => s.Length > 0));
    }

    public static async Task<Result> RunAsync(
        string fileName, IEnumerable<string> arguments, string? asUser, CancellationToken ct)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };

        if (asUser is null)
        {
            start.FileName = fileName;
        }
        else
        {
            // runuser keeps the environment and needs no password when we are root.
            start.FileName = "runuser";
            start.ArgumentList.Add("-u");
            start.ArgumentList.Add(asUser);
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(fileName);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)
            ?? throw new LocalClusterException($"Could not start {fileName}.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return new Result(process.ExitCode, await output, await error);
    }

    /// <summary>
    /// Whether <paramref name="pid"/> is alive and was started no later than
    /// <paramref name="seenAt"/>: a pid recorded then and alive now, but started
    /// since, was reused by another program.
    /// </summary>
    public static bool IsAliveSince(int pid, DateTimeOffset seenAt)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            // A little slack: start times are rounded to clock ticks.
            return !process.HasExited && new DateTimeOffset(process.StartTime) <= seenAt + TimeSpan.FromSeconds(2);
        }
        catch (Exception error) when (error is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    public static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
