using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace MeshInABox.ServiceDefaults;

/// <summary>The mesh's local HMAC-SHA256 signing key, a base64 file in the data directory.</summary>
public static class LocalSigningKey
{
    public static SymmetricSecurityKey Read(string file)
    {
        try
        {
            return new SymmetricSecurityKey(Convert.FromBase64String(File.ReadAllText(file).Trim())) { KeyId = "mesh-local" };
        }
        catch (Exception error) when (error is IOException or FormatException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"Cannot read the signing key {file}: {error.Message}", error);
        }
    }

    /// <summary>
    /// Creates the key file unless it exists: the file readable and writable by
    /// this user only (0600) from its first byte, in a directory only this user
    /// can enter (0700) when created here. An existing key loses any group or other access.
    /// </summary>
    public static void EnsureExists(string file)
    {
        var ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var directory = Path.GetDirectoryName(Path.GetFullPath(file))!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            // The mode applies to directories created here; an existing one (maybe shared) is left as it is.
            Directory.CreateDirectory(directory, ownerOnly | UnixFileMode.UserExecute);
        }

        if (File.Exists(file))
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, ownerOnly);
            }

            return;
        }

        // Written whole under a name of its own, then linked into place: a host starting at the same moment
        // (two test runs, an AppHost and a CLI) finds either no key or a complete one, and the first key stays.
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = ownerOnly;
        }

        var draft = $"{file}.{Environment.ProcessId}.{Guid.NewGuid():N}";
        using (var stream = new FileStream(draft, options))
        {
            stream.Write(System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))));
        }

        try
        {
            File.Move(draft, file, overwrite: false);
        }
        catch (IOException) when (File.Exists(file))
        {
            // Created concurrently by another process: that key is the key.
            File.Delete(draft);
        }
    }
}
