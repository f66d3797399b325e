using System.Text.Json;
using System.Text.Json.Nodes;
using MeshInABox.Domain.Naming;
using MeshInABox.Registry.Auth;
using MeshInABox.Registry.Infrastructure;
using MeshInABox.Registry.Locations;
using MeshInABox.Registry.Model;
using MeshInABox.Registry.Products;
using MeshInABox.Registry.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MeshInABox.Registry.Apis;

/// <summary>The locator: where each output's data lives.</summary>
public static class EndpointsApi
{
    public static IEndpointRouteBuilder MapEndpointsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/data-products/{productId}/endpoints").WithTags("Locator").RequireAuthorization(RegistryAuthExtensions.ReadPolicy)
            .MapGet("/", GetEndpoints).WithName(nameof(GetEndpoints))
            .WithSummary("Where each output's data lives: file path, host/database/schema/table, lakehouse table or topic. Never secrets.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        app.MapGroup("/data-products/{productId}/endpoints").WithTags("Locator").RequireAuthorization(RegistryAuthExtensions.WritePolicy)
            .MapPut("/{output}", PutEndpoint).WithName(nameof(PutEndpoint)).RequireProductWriter()
            .WithSummary("Record where an output's data lives (the storage plane calls this after provisioning).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Results<Ok<IReadOnlyList<EndpointResponse>>, ProblemHttpResult>> GetEndpoints(
        string productId, ProductStore products, EndpointStore endpoints, CancellationToken ct) =>
        await products.GetAsync(productId, ct) is null
            ? DataProductsApi.NotFound(productId)
            : TypedResults.Ok<IReadOnlyList<EndpointResponse>>([.. (await endpoints.ListAsync(productId, ct)).Select(e => e.ToResponse())]);

    public static async Task<Results<NoContent, ValidationProblem>> PutEndpoint(
        string productId, string output, PutEndpointRequest body, HttpContext http,
        EndpointStore endpoints, LocationRules locations, StoragePlane plane, TimeProvider time, CancellationToken ct)
    {
        var product = http.WrittenProduct();
        var checks = new RequestChecks();
        var kind = checks.Kind(body.Kind, "kind");
        var declared = checks.Name(output, "output", MeshNames.Output) is null ? null : product.Outputs.FirstOrDefault(o => o.Name == output);
        if (declared is null && !checks.Failed)
        {
            checks.Add("output", $"'{productId}' has no output {MeshNames.Quote(output)} (it has {string.Join(", ", product.Outputs.Select(o => o.Name))}).");
        }
        else if (declared?.Storage is { } storage && plane.Enabled)
        {
            checks.Add("output", $"Output '{output}' declares the '{storage.Template}' storage template: its location is written by provisioning only.");
        }
        else if (declared is not null && kind is { } given && declared.Kind != given)
        {
            var declaredKind = EnumNames.Of(declared.Kind);
            checks.Add("kind", $"Output '{output}' is declared as {declaredKind}: its endpoint is a {declaredKind} location, not {EnumNames.Of(given)}.");
        }

        JsonObject? stored = null;
        if (body.Location is not { ValueKind: JsonValueKind.Object } location)
        {
            checks.Add("location", "'location' is required: an object saying where the data is.");
        }
        else
        {
            checks.NoSecrets(location, "location");
            if (!checks.Failed && kind is { } checkedKind)
            {
                var errors = new List<(string Property, string Message)>();
                stored = locations.Endpoint(productId, output, EnumNames.Of(checkedKind), location, errors);
                foreach (var (property, message) in errors)
                {
                    checks.Add($"location.{property}", message);
                }
            }
        }

        if (checks.Failed || kind is not { } endpointKind || stored is null)
        {
            return TypedResults.ValidationProblem(checks.Errors);
        }

        await endpoints.PutAsync(productId, output, endpointKind, stored, time.GetUtcNow(), ct);
        return TypedResults.NoContent();
    }
}
