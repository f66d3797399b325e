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

    /// <summary>Creates the key file (owner-only) unless it exists.</summary>
    public static void EnsureExists(string file)
    {
        if (File.Exists(file))
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
