using System.Runtime.InteropServices;

namespace MeshInABox.Iceberg.Writing;

/// <summary>
/// Puts a finished file in place under a name only if no one has taken it.
/// .NET's <c>File.Move(source, destination, overwrite: false)</c> checks and
/// then renames on Unix, so two writers racing for one name can both succeed
/// and the second silently replaces the first. <c>link(2)</c> fails with
/// EEXIST instead: it is the exclusive step a table commit needs, and what any
/// writer that must never replace someone else's file can use.
/// </summary>
public static partial class ExclusiveFile
{
    private const int AlreadyExists = 17; // EEXIST on Linux and macOS

    /// <summary>
    /// Writes <paramref name="contents"/> to <paramref name="destination"/> only if nothing has that name: the file is
    /// written whole (and flushed) under a private name first, so no reader ever sees it half-written.
    /// </summary>
    /// <returns>False, with nothing written, when the destination exists.</returns>
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

    /// <summary>Moves <paramref name="source"/> to <paramref name="destination"/>; false when the destination exists.</summary>
    internal static bool TryPublish(string source, string destination)
    {
        if (!OperatingSystem.IsWindows())
        {
            if (Link(source, destination) == 0)
            {
                File.Delete(source);
                return true;
            }

            var error = Marshal.GetLastPInvokeError();
            File.Delete(source);
            return error == AlreadyExists
                ? false
                : throw new IOException($"Could not create {destination}: {Marshal.GetPInvokeErrorMessage(error)} (errno {error}).");
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

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string created);
}
