using System.Runtime.InteropServices;

namespace MeshInABox.Cli.Commands;

/// <summary>
/// A shell starts background jobs (<c>mesh up &amp;</c>) with SIGINT ignored, and
/// .NET then never delivers SIGINT to a handler, so <c>kill -INT</c> did nothing.
/// <c>mesh up</c> owns its shutdown: it takes SIGINT back before registering for it.
/// </summary>
internal static class InterruptSignal
{
    private const int SigInt = 2;

    public static void Restore()
    {
        if (!OperatingSystem.IsLinux() || !IsIgnored())
        {
            return;
        }

        // SIG_DFL is 0: the runtime then sees SIGINT as not ignored and installs its handler.
        Signal(SigInt, IntPtr.Zero);
    }

    /// <summary>Bit 2 (SIGINT) of SigIgn in /proc/self/status.</summary>
    private static bool IsIgnored()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null
            && ulong.TryParse(line["SigIgn:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, null, out var ignored)
            && (ignored & (1UL << (SigInt - 1))) != 0;
    }

    // DllImport, not LibraryImport: two blittable arguments need no generated marshalling (nor unsafe code).
    [DllImport("libc", EntryPoint = "signal")]
    private static extern IntPtr Signal(int signal, IntPtr handler);
}
