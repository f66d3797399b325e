using System.Security.Cryptography;
using System.Text;

namespace MeshInABox.Storage.Postgres;

/// <summary>
/// A SCRAM-SHA-256 verifier (RFC 5802/7677, PostgreSQL's stored form), computed here so that
/// <c>ALTER ROLE ... PASSWORD</c> carries only the verifier: the clear password never reaches the server,
/// its statement log or pg_stat_statements.
/// </summary>
internal static class ScramVerifier
{
    private const int Iterations = 4096;

    public static string For(string password)
    {
        // Generated passwords are ASCII letters and digits, which SASLprep leaves unchanged.
        var salt = RandomNumberGenerator.GetBytes(16);
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, 32);
        var clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
        var storedKey = SHA256.HashData(clientKey);
        var serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
        return $"SCRAM-SHA-256${Iterations}:{Convert.ToBase64String(salt)}${Convert.ToBase64String(storedKey)}:{Convert.ToBase64String(serverKey)}";
    }

    /// <summary>A new password: 32 letters and digits from the system's cryptographic generator (about 190 bits).</summary>
    public static string NewPassword() =>
        RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 32);
}
