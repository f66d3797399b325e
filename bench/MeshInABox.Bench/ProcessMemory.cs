using System.Diagnostics;
using System.Globalization;

namespace MeshInABox.Bench;

/// <summary>Which processes a host started, and their proportional set size, from Linux's /proc.</summary>
public static class ProcessMemory
{
    /// <summary>Every process running now.</summary>
    public static IReadOnlySet<int> Snapshot() =>
        Directory.EnumerateDirectories("/proc")
            .Select(dir => int.TryParse(Path.GetFileName(dir), out var pid) ? pid : 0)
            .Where(pid => pid > 0)
            .ToHashSet();

    /// <summary>
    /// The processes started since <paramref name="before"/>: on an otherwise idle machine, what a host started,
    /// detached ones included (DCP re-parents itself to init, container processes belong to the engine's shim).
    /// </summary>
    public static IReadOnlyList<int> StartedSince(IReadOnlySet<int> before) => [.. Snapshot().Where(pid => !before.Contains(pid))];

    public static double PssMiB(IEnumerable<int> processes) =>
        processes.Sum(PssKiB) / 1024.0;

    public static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    private static long PssKiB(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/smaps_rollup").FirstOrDefault(l => l.StartsWith("Pss:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;  // exited meanwhile
        }
    }
}
