using System.Security.Claims;
using MeshInABox.Domain.Access;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace MeshInABox.ServiceDefaults;

/// <summary>Tokens signed with the mesh's local key, for <c>mesh token</c>, <c>mesh register</c> and tests.</summary>
public static class LocalTokens
{
    public static string Issue(string signingKeyFile, string subject, IEnumerable<string> domains, IEnumerable<string> scopes, TimeSpan lifetime, TimeProvider? time = null)
    {
        var now = (time ?? TimeProvider.System).GetUtcNow().UtcDateTime;
        var claims = new List<Claim>
        {
            new("sub", subject),
            new(MeshAccess.ScopeClaim, string.Join(' ', scopes)),
        };
        claims.AddRange(domains.Select(d => new Claim(MeshAccess.DomainClaim, d)));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = MeshAuthOptions.LocalIssuer,
            Audience = MeshAuthOptions.DefaultAudience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            SigningCredentials = new SigningCredentials(LocalSigningKey.Read(signingKeyFile), SecurityAlgorithms.HmacSha256),
        });
    }
}
