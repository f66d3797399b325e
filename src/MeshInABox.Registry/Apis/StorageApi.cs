using MeshInABox.Registry.Auth;
using MeshInABox.Registry.Infrastructure;
using MeshInABox.Registry.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MeshInABox.Registry.Apis;

/// <summary>
/// A product's provisioned storage as it really is: each PostgreSQL table's columns, types, comments and row estimate,
/// read with the platform's metadata role (which sees no row), and how they drift from the current contract.
/// </summary>
public static class StorageApi
{
    public static IEndpointRouteBuilder MapStorageApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/data-products/{productId}/storage").WithTags("Storage").RequireAuthorization(RegistryAuthExtensions.ReadPolicy)
            .MapGet("/", GetStorage).WithName(nameof(GetStorage))
            .WithSummary("Each provisioned output's tables as PostgreSQL describes them (metadata role: names, columns, types, comments, row estimates; never rows), and their drift from the contract.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public sealed record StorageResponse(string ProductId, IReadOnlyList<OutputStorageResponse> Outputs);

    /// <param name="Drift">How the real tables differ from the current contract (missing-table, missing-column, extra-column, type-differs, nullability-differs).</param>
    public sealed record OutputStorageResponse(string Output, string Kind, IReadOnlyList<TableResponse> Tables, IReadOnlyList<DriftResponse> Drift);

    public sealed record TableResponse(string Name, string? Comment, long? RowEstimate, IReadOnlyList<ColumnResponse> Columns, IReadOnlyList<string> PrimaryKey);

    public sealed record ColumnResponse(string Name, string Type, bool NotNull, string? Comment);

    public sealed record DriftResponse(string Code, string? Column, string Message);

    public static async Task<Results<Ok<StorageResponse>, ProblemHttpResult>> GetStorage(
        string productId, ProductStore products, ProductStorage storage, CancellationToken ct)
    {
        if (await products.GetAsync(productId, ct) is not { } product)
        {
            return DataProductsApi.NotFound(productId);
        }

        var outputs = (await storage.ReadAsync(product, ct)).Select(o => new OutputStorageResponse(o.Output, o.Kind,
            o.Table is not { } table ? [] : [new TableResponse(table.Name, table.Comment, table.RowEstimate,
                [.. table.Columns.Select(c => new ColumnResponse(c.Name, c.Type, c.NotNull, c.Comment))], table.PrimaryKey)],
            [.. o.Drift.Select(d => new DriftResponse(d.Code, d.Column, d.Message))]));
        return TypedResults.Ok(new StorageResponse(productId, [.. outputs]));
    }
}
