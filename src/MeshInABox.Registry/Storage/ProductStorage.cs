using MeshInABox.Domain.Products;
using MeshInABox.Registry.Infrastructure;
using MeshInABox.Registry.Products;
using MeshInABox.Storage.Postgres;

namespace MeshInABox.Registry.Storage;

/// <summary>One provisioned output's real table (null when it is missing) and how it drifts from the current contract.</summary>
public sealed record ProvisionedOutput(string Output, string Kind, PostgresTableMetadata? Table, IReadOnlyList<DriftFinding> Drift);

/// <summary>
/// A product's provisioned PostgreSQL storage as it really is, read with the platform's metadata role (which sees no
/// row), compared with the current contract: what the storage API answers and the catalog's product page shows.
/// </summary>
public sealed class ProductStorage(VersionStore versions, EndpointStore endpoints, IServiceProvider services)
{
    public async Task<IReadOnlyList<ProvisionedOutput>> ReadAsync(RegisteredProduct product, CancellationToken ct)
    {
        var outputs = new List<ProvisionedOutput>();
        var postgres = (await endpoints.ListAsync(product.Id, ct)).Where(e => e.Kind == OutputKind.Postgres && e.Provisioned).ToList();
        if (postgres.Count == 0 || services.GetService<PostgresMetadata>() is not { } metadata)
        {
            return outputs;
        }

        var contract = await versions.CurrentContractAsync(product, ct);
        var tables = await metadata.ReadAsync(product.Id, ct);
        foreach (var endpoint in postgres)
        {
            var table = endpoint.Location.TryGetProperty("table", out var name) ? tables.FirstOrDefault(t => t.Name == name.GetString()) : null;
            var drift = contract?.ObjectFor(endpoint.Output) is { } declared ? PostgresDrift.Compare(declared, table) : [];
            outputs.Add(new ProvisionedOutput(endpoint.Output, "postgres", table, drift));
        }

        return outputs;
    }
}
