using MeshInABox.QueryService.Usage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MeshInABox.QueryService.Apis;

/// <summary><c>GET /usage</c>: who reads which products through the lakehouse, from the usage records.</summary>
public static class UsageApi
{
    public static IEndpointRouteBuilder MapUsageApi(this IEndpointRouteBuilder app)
    {
        var usage = app.MapGroup("/usage").WithTags("Usage");
        usage.MapGet("/products", GetProducts).WithName(nameof(GetProducts))
            .WithSummary("Queries and distinct consumers per product read through the lakehouse, most read first.");
        usage.MapGet("/products/{productId}", GetProduct).WithName(nameof(GetProduct))
            .WithSummary("One product's consumers: who ran how many queries over which outputs, and when last.");
        return app;
    }

    public static async Task<Ok<IReadOnlyList<ProductUsage>>> GetProducts(UsageStore store, DateTimeOffset? since, CancellationToken ct) =>
        TypedResults.Ok(await store.ProductsAsync(since ?? DateTimeOffset.UnixEpoch, ct));

    public static async Task<Ok<ProductConsumers>> GetProduct(string productId, UsageStore store, DateTimeOffset? since, CancellationToken ct) =>
        TypedResults.Ok(await store.ProductAsync(productId, since ?? DateTimeOffset.UnixEpoch, ct));
}
