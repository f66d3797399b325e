using MeshInABox.Domain.Products;
using MeshInABox.Registry.Auth;
using MeshInABox.Registry.Infrastructure;
using MeshInABox.Storage.Postgres;
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
        string productId, ProductStore products, VersionStore versions, EndpointStore endpoints, IServiceProvider services, CancellationToken ct)
    {
        if (await products.GetAsync(productId, ct) is not { } product)
        {
            return DataProductsApi.NotFound(productId);
        }

        var outputs = new List<OutputStorageResponse>();
        var postgres = (await endpoints.ListAsync(productId, ct)).Where(e => e.Kind == OutputKind.Postgres && e.Provisioned).ToList();
        if (postgres.Count > 0 && services.GetService<PostgresMetadata>() is { } metadata)
        {
            var contract = await versions.CurrentContractAsync(product, ct);
            var tables = await metadata.ReadAsync(productId, ct);
            foreach (var endpoint in postgres)
            {
                var table = endpoint.Location.TryGetProperty("table", out var name) ? tables.FirstOrDefault(t => t.Name == name.GetString()) : null;
                var drift = contract?.ObjectFor(endpoint.Output) is { } declared ? PostgresDrift.Compare(declared, table) : [];
                outputs.Add(new OutputStorageResponse(endpoint.Output, "postgres",
                    table is null ? [] : [new TableResponse(table.Name, table.Comment, table.RowEstimate,
                        [.. table.Columns.Select(c => new ColumnResponse(c.Name, c.Type, c.NotNull, c.Comment))], table.PrimaryKey)],
                    [.. drift.Select(d => new DriftResponse(d.Code, d.Column, d.Message))]));
            }
        }

        return TypedResults.Ok(new StorageResponse(productId, outputs));
    }
}
