using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MeshInABox.Domain.Access;
using MeshInABox.ServiceDefaults;
using Microsoft.IdentityModel.Tokens;

namespace MeshInABox.Testing;

/// <summary>Bearer tokens a mesh must refuse with 401, each broken in one way, for a mesh signing with <c>signingKeyFile</c>.</summary>
public static class InvalidTokens
{
    public static IReadOnlyList<string> Kinds { get; } = ["expired", "foreign-key", "alg-none", "garbage"];

    public static string Make(string kind, string signingKeyFile) => kind switch
    {
        "expired" => LocalTokens.Issue(signingKeyFile, "test-user", [MeshAccess.AnyDomain], [MeshAccess.ReadScope, MeshAccess.WriteScope],
            TimeSpan.FromHours(1), new FixedClock(DateTimeOffset.UtcNow.AddHours(-3))),
        "foreign-key" => ForeignKey(),
        "alg-none" => Unsigned(),
        "garbage" => "this-is-not-a-token",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static string ForeignKey()
    {
        var file = Path.Combine(Path.GetTempPath(), "foreign-" + Guid.NewGuid().ToString("N") + ".key");
        try
        {
            File.WriteAllText(file, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            return LocalTokens.Issue(file, "test-user", [MeshAccess.AnyDomain], [MeshAccess.ReadScope, MeshAccess.WriteScope], TimeSpan.FromHours(1));
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Claims a valid token would carry, with <c>alg: none</c> and no signature.</summary>
    private static string Unsigned()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes("""{"alg":"none","typ":"JWT"}"""));
        var payload = Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["sub"] = "test-user",
            [MeshAccess.ScopeClaim] = $"{MeshAccess.ReadScope} {MeshAccess.WriteScope}",
            [MeshAccess.DomainClaim] = MeshAccess.AnyDomain,
            ["iss"] = MeshAuthOptions.LocalIssuer,
            ["aud"] = MeshAuthOptions.DefaultAudience,
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + 3600,
        }));
        return header + "." + payload + ".";
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
