using MeshInABox.Domain.Access;
using MeshInABox.Registry.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;

namespace MeshInABox.Registry.OpenApi;

/// <summary>
/// The OpenAPI 3.1 document: the OIDC security scheme with the registry's
/// scopes on the operations that need them, and the Location header on 201/202.
/// </summary>
public static class RegistryOpenApi
{
    public const string SchemeName = "oidc";

    public static IServiceCollection AddRegistryOpenApi(this IServiceCollection services, RegistryAuthOptions auth)
    {
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "MeshInABox data product registry";
                document.Info.Description = "Register data products, publish versions with ODCS contracts, follow their validation, find where data lives.";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.OpenIdConnect,
                    Description = $"JWT bearer tokens from the mesh's OIDC issuer (locally: 'mesh token'). Scopes: {MeshAccess.ReadScope} (read), {MeshAccess.WriteScope} (register and publish, for the domains in the token's {MeshAccess.DomainClaim} claims).",
                    OpenIdConnectUrl = new Uri((auth.Authority ?? "http://localhost/local-signing-key").TrimEnd('/') + "/.well-known/openid-configuration"),
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var policies = context.Description.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>().Select(a => a.Policy).ToList();
                var scope = policies.Contains(RegistryAuthExtensions.WritePolicy) ? MeshAccess.WriteScope
                    : policies.Contains(RegistryAuthExtensions.SubjectPolicy) || (policies.Contains(RegistryAuthExtensions.ReadPolicy) && auth.RequireReadScope) ? MeshAccess.ReadScope
                    : null;
                if (scope is not null)
                {
                    operation.Security ??= [];
                    operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, context.Document)] = [scope] });
                    operation.Responses ??= new OpenApiResponses();
                    operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No valid token." });
                    if (scope == MeshAccess.WriteScope)
                    {
                        operation.Responses.TryAdd("403", new OpenApiResponse { Description = "The token lacks the scope, or is for another domain." });
                    }
                }

                foreach (var (status, response) in operation.Responses ?? [])
                {
                    if (status is "201" or "202" && response is OpenApiResponse concrete)
                    {
                        concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
                        concrete.Headers["Location"] = new OpenApiHeader
                        {
                            Description = status == "201" ? "The new resource." : "The version's status resource, to follow its validation.",
                            Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri-reference" },
                        };
                    }
                }

                return Task.CompletedTask;
            });
        });
        return services;
    }
}
