using System.Runtime.InteropServices;

namespace MeshInABox.Storage.Lakehouse;

/// <summary>
/// Puts a finished file in place only if nothing has that name yet: the file is written whole under a private
/// name first, so no reader ever sees it half-written, and then linked into place with <c>link(2)</c>, which fails
/// when the name is taken (<c>File.Move</c> without overwrite checks and then renames on Unix, so a racing writer's
/// file could be replaced). The same protocol as the Iceberg library's commit, whose helper is internal to it.
/// </summary>
internal static partial class ExclusiveFile
{
    private const int AlreadyExists = 17; // EEXIST on Linux and macOS

    /// <summary>Writes <paramref name="contents"/> to <paramref name="destination"/>; false (and nothing written) when it exists.</summary>
    public static bool TryCreate(string destination, ReadOnlySpan<byte> contents)
    {
        var temporary = destination + "." + Guid.NewGuid().ToString("N") + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            stream.Write(contents);
            stream.Flush(flushToDisk: true);
        }

        return TryPublish(temporary, destination);
    }

    private static bool TryPublish(string source, string destination)
    {
        if (!OperatingSystem.IsWindows())
        {
            var linked = Link(source, destination) == 0;
            var error = Marshal.GetLastPInvokeError();
            File.Delete(source);
            return linked || (error == AlreadyExists
                ? false
                : throw new IOException($"Could not create {destination}: {Marshal.GetPInvokeErrorMessage(error)} (errno {error})."));
        }

        // Windows' MoveFileEx without REPLACE_EXISTING is already exclusive.
        try
        {
            File.Move(source, destination, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(destination))
        {
            File.Delete(source);
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int Link([MarshalAs(UnmanagedType.LPUTF8Str)] string existing, [MarshalAs(UnmanagedType.LPUTF8Str)] string created);
}
