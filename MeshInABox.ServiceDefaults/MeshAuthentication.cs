using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;

namespace MeshInABox.ServiceDefaults;

/// <summary>Where a service's bearer tokens come from: a real OIDC issuer, or the mesh's local signing key.</summary>
public class MeshAuthOptions
{
    /// <summary>Issuer and audience of tokens signed with the mesh's local key.</summary>
    public const string LocalIssuer = "meshinabox-local";
    public const string DefaultAudience = "meshinabox-registry";

    /// <summary>OIDC issuer URL; its metadata gives the signing keys.</summary>
    public string? Authority { get; set; }

    public string? MetadataAddress { get; set; }

    public string Audience { get; set; } = DefaultAudience;

    /// <summary>File holding the local HMAC signing key (base64), written by the embedded host.</summary>
    public string? SigningKeyFile { get; set; }

    public bool RequireHttpsMetadata { get; set; } = true;
}

/// <summary>JWT bearer validation, the same in every service.</summary>
public static class MeshAuthentication
{
    public static IServiceCollection AddMeshJwtBearer(this IServiceCollection services, MeshAuthOptions auth)
    {
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(options =>
            {
                // Keep claim names as issued ("scope", "mesh_domain"), not mapped to WS-* URIs.
                options.MapInboundClaims = false;
                options.TokenValidationParameters.ValidAudience = auth.Audience;
                options.TokenValidationParameters.NameClaimType = "sub";
                if (!string.IsNullOrWhiteSpace(auth.Authority))
                {
                    options.Authority = auth.Authority;
                    options.MetadataAddress = auth.MetadataAddress ?? "";
                    options.RequireHttpsMetadata = auth.RequireHttpsMetadata;
                }
                else if (!string.IsNullOrWhiteSpace(auth.SigningKeyFile))
                {
                    options.TokenValidationParameters.ValidIssuer = MeshAuthOptions.LocalIssuer;
                    options.TokenValidationParameters.IssuerSigningKey = LocalSigningKey.Read(auth.SigningKeyFile);
                }
                else
                {
                    // No issuer configured: no token can be valid.
                    options.TokenValidationParameters.IssuerSigningKeyResolver = (_, _, _, _) => [];
                }
            });
        return services;
    }
}
