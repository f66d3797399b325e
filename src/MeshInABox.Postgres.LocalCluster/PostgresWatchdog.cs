using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;

namespace MeshInABox.Postgres.LocalCluster;

/// <summary>
/// Makes sure a cluster never outlives the process that started it, even when
/// that process is killed with SIGKILL and runs no clean-up: a small shell in
/// a session of its own reads a pipe only this process writes. When every
/// write end closes (this process ended, however) it reads end-of-file, stops
/// the server (fast mode) and removes what it was told to. A clean stop
/// detaches it first, so it exits without touching anything.
/// </summary>
internal sealed class PostgresWatchdog
{
    // Held until detached: a collected pipe would close and read as this process's end.
    private static readonly ConcurrentDictionary<PostgresWatchdog, bool> Live = new();

    // $1 pg_ctl, $2 data directory, $3 OS user running the server (or empty), $4 directory to remove (or empty).
    private const string Script = """
        exec >/dev/null 2>&1
        while IFS= read -r line; do
            [ "$line" = detach ] && exit 0
        done
        if [ -f "$2/postmaster.pid" ]; then
            if [ -n "$3" ]; then runuser -u "$3" -- "$1" -D "$2" -m fast -w -t 60 stop; else "$1" -D "$2" -m fast -w -t 60 stop; fi
        fi
        if [ -n "$4" ]; then rm -rf -- "$4"; fi
        """;

    private readonly Process _process;

    private PostgresWatchdog(Process process)
    {
        _process = process;
    }

    /// <param name="removeAfterStop">A directory to delete once the orphaned server stopped (an ephemeral mesh's), or null.</param>
    public static PostgresWatchdog? Start(string pgCtl, string dataDirectory, string? runAs, string? removeAfterStop)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        var start = new ProcessStartInfo
        {
            // setsid -f: a new session, outside this process's group and tree, so neither a terminal's
            // signals nor a kill of the whole tree reach it before it has stopped the server.
            FileName = File.Exists("/usr/bin/setsid") || File.Exists("/bin/setsid") ? "setsid" : "sh",
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (start.FileName == "setsid")
        {
            start.ArgumentList.Add("-f");
            start.ArgumentList.Add("sh");
        }

        foreach (var argument in new[] { "-c", Script, "mesh-postgres-watchdog", pgCtl, dataDirectory, runAs ?? "", removeAfterStop ?? "" })
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            var process = Process.Start(start) ?? throw new LocalClusterException("Could not start the PostgreSQL watchdog.");
            var watchdog = new PostgresWatchdog(process);
            Live[watchdog] = true;
            return watchdog;
        }
        catch (Win32Exception error)
        {
            throw new LocalClusterException($"Could not start the PostgreSQL watchdog (sh): {error.Message}");
        }
    }

    /// <summary>Lets the watchdog go without stopping anything: the owner stops the server itself.</summary>
    public void Detach()
    {
        if (!Live.TryRemove(this, out _))
        {
            return;
        }

        try
        {
            _process.StandardInput.WriteLine("detach");
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // It is gone already.
        }

        _process.Dispose();
    }
}
