using System.Text.Json.Nodes;
using MeshInABox.Domain.Access;
using MeshInABox.Domain.Profiles;
using MeshInABox.Lakehouse.Execution;
using MeshInABox.Lakehouse.Model;
using MeshInABox.Lakehouse.Usage;
using MeshInABox.ServiceDefaults;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace MeshInABox.Lakehouse.OpenApi;

/// <summary>
/// The OpenAPI 3.1 document: the bearer scheme (required on <c>/usage</c>, optional on <c>/query</c>), what each
/// problem status of <c>POST /query</c> means, the streamed media types, the headers the service sends, and the
/// health endpoints, which the framework's API description does not list.
/// </summary>
public static class LakehouseOpenApi
{
    public const string SchemeName = "bearer";

    private const string RetryAfter = "Retry-After";

    public static IServiceCollection AddLakehouseOpenApi(this IServiceCollection services, MeshAuthOptions auth)
    {
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "MeshInABox lakehouse service";
                document.Info.Description = "SQL over data products wherever their data lives (CSV files, Iceberg tables, PostgreSQL tables), sandboxed, access-checked and recorded for usage figures.";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[SchemeName] = Scheme(auth);
                document.Tags ??= new HashSet<OpenApiTag>();
                document.Tags.Add(new OpenApiTag { Name = "Health" });
                document.Paths ??= [];
                document.Paths[MeshTopology.HealthPath] = HealthPath(document, "Every check, PostgreSQL and the usage schema's migrations included: 200 while healthy or degraded, 503 when a check fails.");
                document.Paths[ServiceDefaultsExtensions.AlivenessEndpointPath] = HealthPath(document, "The process only (liveness): 200 while it runs.");
                return Task.CompletedTask;
            });
            options.AddSchemaTransformer((schema, context, _) =>
            {
                // Null is refused with a 400 like a missing 'sql'; the type is nullable only for that check.
                if (context.JsonPropertyInfo is { Name: "sql" } sql && sql.DeclaringType == typeof(QueryRequest))
                {
                    schema.Type = JsonSchemaType.String;
                }

                if (context.JsonPropertyInfo is { Name: "outcome" } outcome && outcome.DeclaringType == typeof(QueryRecord))
                {
                    schema.Enum = Outcomes();
                }

                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>().Any())
                {
                    operation.Security = [Requirement(context.Document)];
                    operation.Responses ??= [];
                    operation.Responses["401"] = Problem(context.Document, "No bearer token, or one that does not validate (WWW-Authenticate says why).");
                }

                foreach (var (status, response) in operation.Responses ?? [])
                {
                    if (status is "429" or "503" && response is OpenApiResponse concrete)
                    {
                        concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
                        concrete.Headers[RetryAfter] = new OpenApiHeader
                        {
                            Description = "Seconds to wait before trying again.",
                            Schema = new OpenApiSchema { Type = JsonSchemaType.Integer },
                        };
                    }
                }

                return Task.CompletedTask;
            });
        });
        return services;
    }

    /// <summary>What <c>POST /query</c> answers, status by status, as the service really answers it.</summary>
    internal static Task DescribeQuery(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        // Anonymous callers read open products; a token names the caller whose grants count.
        operation.Security = [new OpenApiSecurityRequirement(), Requirement(context.Document)];
        if (operation.RequestBody is OpenApiRequestBody body)
        {
            body.Description = "One SELECT over data products named domain.product.table (hyphens written as underscores or the parts quoted).";
        }

        var responses = operation.Responses ??= [];
        if (responses.TryGetValue("200", out var ok) && ok is OpenApiResponse rows)
        {
            rows.Description = "Rows as they are produced, in the format the Accept header asks for. A result of exactly X-Mesh-Row-Limit rows may have been cut " +
                "(over HTTP/2 a trailer X-Mesh-Truncated: true confirms it). An error after rows have left ends an NDJSON stream with {\"error\": \"...\"} and aborts the others.";
            rows.Headers ??= new Dictionary<string, IOpenApiHeader>();
            rows.Headers["X-Mesh-Row-Limit"] = new OpenApiHeader
            {
                Description = "The row limit (Lakehouse:MaxRows).",
                Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64" },
            };
            rows.Content ??= new Dictionary<string, OpenApiMediaType>();
            rows.Content[ResultFormat.NdJson.MediaType] = new OpenApiMediaType
            {
                Schema = new OpenApiSchema { Type = JsonSchemaType.Object, Description = "One line per row: an object from column name to value." },
            };
            rows.Content[ResultFormat.Csv.MediaType] = new OpenApiMediaType
            {
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A header line of column names, then one RFC 4180 line per row." },
            };
            rows.Content[ResultFormat.Arrow.MediaType] = new OpenApiMediaType
            {
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = "An Arrow IPC stream: the schema, then DuckDB's record batches." },
            };
        }

        Describe(responses, "400", "The query is refused before it runs or fails before its first row: no 'sql', a body that is not JSON or holds \\u0000, " +
            "a syntax error (DuckDB's message and 'position'; unquoted hyphenated names get a hint), a limit on the SQL (length, NUL, nesting, parameters), " +
            "a name that is no product table's, a version that does not exist, or an error or the statement timeout before the first row.");
        Describe(responses, "401", "A bearer token that does not validate, or whose sub breaks the subject naming rule (WWW-Authenticate: Bearer error=\"invalid_token\"). No token at all is anonymous, not a 401.");
        Describe(responses, "403", "Not allowed: anything but one SELECT, table functions, introspection, size-amplifying calls; a restricted product without a grant for the token's sub " +
            "(the problem names the owner and the grant call); a location outside the product's folder or schema; a PostgreSQL table not granted to mesh_product_reader.");
        Describe(responses, "404", "A product, or an output of it, that the registry does not list; the problem names the closest matches.");
        Describe(responses, "413", "The body is over Lakehouse:MaxRequestBytes (1 MiB by default).");
        Describe(responses, "414", "The request target (path and query) is over 8 KiB.");
        Describe(responses, "415", "The body is not application/json.");
        Describe(responses, "429", "This caller (a token's sub, or an anonymous client's address) already runs Lakehouse:MaxConcurrentQueriesPerCaller queries (4 by default).");
        Describe(responses, "503", "The registry is down and the query needs its live answer (a restricted product's grant, a product not seen before), or PostgreSQL is unreachable.");
        return Task.CompletedTask;
    }

    /// <summary>What <c>GET /usage/queries</c> answers besides its records.</summary>
    internal static Task DescribeUsageQueries(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        foreach (var parameter in operation.Parameters ?? [])
        {
            if (parameter is OpenApiParameter { Name: "outcome", Schema: OpenApiSchema schema })
            {
                schema.Enum = Outcomes();
            }
        }

        var responses = operation.Responses ??= [];
        Describe(responses, "400", "An unknown outcome, a limit outside 1 to 1000, or a since that is no date-time.");
        Describe(responses, "403", "'subject' names another caller, and the token is not for every domain.");
        return Task.CompletedTask;
    }

    private static List<JsonNode> Outcomes() => [.. QueryOutcomes.Names.Select(name => (JsonNode)JsonValue.Create(name))];

    private static void Describe(OpenApiResponses responses, string status, string description)
    {
        if (responses.TryGetValue(status, out var response) && response is OpenApiResponse concrete)
        {
            concrete.Description = description;
        }
    }

    private static OpenApiResponse Problem(OpenApiDocument? document, string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference("ProblemDetails", document) },
        },
    };

    private static OpenApiSecurityRequirement Requirement(OpenApiDocument? document) =>
        new() { [new OpenApiSecuritySchemeReference(SchemeName, document)] = [] };

    /// <summary>JWT bearer tokens, validated like the registry's: from the OIDC issuer when one is configured, else signed with the mesh's local key.</summary>
    private static OpenApiSecurityScheme Scheme(MeshAuthOptions auth)
    {
        const string Description = "JWT bearer tokens, validated like the registry's (locally: 'mesh token'). The token's sub is the caller grants name; " +
            $"on /usage, {MeshAccess.WriteScope} with {MeshAccess.DomainClaim} claims shows those domains' products, {MeshAccess.DomainClaim} '{MeshAccess.AnyDomain}' everything.";
        return string.IsNullOrWhiteSpace(auth.Authority)
            ? new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT", Description = Description }
            : new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.OpenIdConnect,
                Description = Description,
                OpenIdConnectUrl = new Uri(string.IsNullOrWhiteSpace(auth.MetadataAddress)
                    ? auth.Authority.TrimEnd('/') + "/.well-known/openid-configuration"
                    : auth.MetadataAddress),
            };
    }

    private static OpenApiPathItem HealthPath(OpenApiDocument document, string description)
    {
        var check = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["status"] = Status(),
                ["description"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
                ["durationMs"] = new OpenApiSchema { Type = JsonSchemaType.Number },
                ["data"] = new OpenApiSchema { Type = JsonSchemaType.Object | JsonSchemaType.Null, Description = $"What the check adds; '{HealthReportWriter.RequiresActionKey}' when it will not recover without someone acting." },
            },
        };
        var report = new OpenApiMediaType
        {
            Schema = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["status"] = Status(),
                    ["durationMs"] = new OpenApiSchema { Type = JsonSchemaType.Number },
                    ["checks"] = new OpenApiSchema { Type = JsonSchemaType.Object, AdditionalProperties = check },
                },
            },
        };
        return new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new OpenApiOperation
                {
                    Summary = description,
                    Tags = new HashSet<OpenApiTagReference> { new("Health", document) },
                    Responses = new OpenApiResponses
                    {
                        ["200"] = new OpenApiResponse { Description = "Healthy or degraded.", Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = report } },
                        ["503"] = new OpenApiResponse { Description = "A check failed; the report says which and why.", Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = report } },
                    },
                },
            },
        };
    }

    private static OpenApiSchema Status() => new()
    {
        Type = JsonSchemaType.String,
        Enum = [JsonValue.Create("Healthy"), JsonValue.Create("Degraded"), JsonValue.Create("Unhealthy")],
    };
}
