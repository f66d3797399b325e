using System.Net;
using System.Text.Json;
using MeshInABox.Lakehouse.Query;
using MeshInABox.QueryService.Extensions;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;

namespace MeshInABox.QueryService.Infrastructure;

/// <summary>A product table named in a query, as the registry knows it, and how to read it.</summary>
public sealed record ResolvedProduct(string ProductId, string Output, Func<ProductSource> Source);

/// <summary>
/// Resolves <c>domain.product.table</c> through the registry's locator (product
/// ids are kebab-case; SQL names write the hyphens as underscores).
/// </summary>
public sealed class RegistryProductSources(HttpClient registry, QueryServiceOptions options, IConfiguration configuration, IMemoryCache cache)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(2);

    /// <exception cref="QueryRejectedException">A product is unknown, restricted or not queryable.</exception>
    /// <param name="subject">The caller's identity (a token's sub), null when anonymous.</param>
    public async Task<IReadOnlyDictionary<ProductReference, ResolvedProduct>> ResolveAsync(IReadOnlyList<ProductReference> references, string? subject, CancellationToken ct)
    {
        var map = new Dictionary<ProductReference, ResolvedProduct>();
        foreach (var reference in references)
        {
            var id = $"{reference.Domain}.{reference.Product}";
            var product = await CachedGetAsync($"data-products/{Uri.EscapeDataString(id.Replace('_', '-'))}", ct);
            if (product is not { } found)
            {
                throw await UnknownAsync(reference, ct);
            }

            var productId = found.GetProperty("id").GetString()!;
            if (found.GetProperty("classification").GetString() == "restricted"
                && (subject is null || await GetAsync($"data-products/{Uri.EscapeDataString(productId)}/grants/{Uri.EscapeDataString(subject)}", ct) is null))
            {
                throw new QueryRejectedException(
                    $"'{productId}' is restricted and {(subject is null ? "the query carries no token" : $"'{subject}' holds no grant on it")}. " +
                    $"Ask its owner ({found.GetProperty("owner").GetString()}) to grant access: PUT /data-products/{productId}/grants/<your token's sub>.",
                    reference.Position, forbidden: true);
            }

            var endpoints = await CachedGetAsync($"data-products/{Uri.EscapeDataString(productId)}/endpoints", ct) ?? default;
            var endpoint = endpoints.ValueKind == JsonValueKind.Array
                ? endpoints.EnumerateArray().FirstOrDefault(e => Same(e.GetProperty("output").GetString(), reference.Table))
                : default;
            var output = endpoint.ValueKind == JsonValueKind.Object ? endpoint.GetProperty("output").GetString()! : reference.Table;
            map[reference] = new ResolvedProduct(productId, output, Source(productId, reference, endpoint, $"pg_source_{map.Count}"));
        }

        return map;
    }

    private Func<ProductSource> Source(string productId, ProductReference reference, JsonElement endpoint, string functionName)
    {
        var table = Path.Combine(options.LakeRoot, reference.Domain, productId[(productId.IndexOf('.') + 1)..], reference.Table);
        if (Directory.Exists(Path.Combine(table, "metadata")))
        {
            return () => ProductSources.Iceberg(table, reference.At);
        }

        if (reference.At is not null)
        {
            throw new QueryRejectedException($"'{reference}' is not a lakehouse table: only lakehouse tables keep versions to query AT (VERSION/TIMESTAMP => ...).", reference.Position);
        }

        var kind = endpoint.ValueKind == JsonValueKind.Object ? endpoint.GetProperty("kind").GetString() : null;
        var location = endpoint.ValueKind == JsonValueKind.Object ? endpoint.GetProperty("location") : default;
        if (kind == "csv" && Text(location, "path") is { } file && File.Exists(file))
        {
            return () => ProductSources.CsvInferred(file);
        }

        if (kind == "postgres" && Text(location, "table") is { } name)
        {
            var server = configuration.GetConnectionString(QueryServiceExtensions.DatabaseName)
                ?? throw new QueryRejectedException($"'{reference}' lives in PostgreSQL, but this service has no ConnectionStrings:{QueryServiceExtensions.DatabaseName} to reach it.", reference.Position);
            var at = new PostgresLocation(
                Text(location, "database") ?? new NpgsqlConnectionStringBuilder(server).Database ?? "postgres", Text(location, "schema") ?? "public", name);
            return () => PostgresTableSource.Create(server, at, functionName);
        }

        throw new QueryRejectedException(
            $"'{reference}' has no queryable data yet: its locator names {(kind is null ? "no endpoint" : $"a {kind} endpoint")} " +
            "and the query service reads CSV files, lakehouse tables and PostgreSQL tables ({\"database\", \"schema\", \"table\"}).",
            reference.Position);
    }

    private static string? Text(JsonElement location, string property) =>
        location.ValueKind == JsonValueKind.Object && location.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private async Task<QueryRejectedException> UnknownAsync(ProductReference reference, CancellationToken ct)
    {
        var page = await GetAsync("data-products?pageSize=200", ct);
        var known = page?.GetProperty("items").EnumerateArray()
            .SelectMany(p => p.GetProperty("outputs").EnumerateArray().Select(o => $"{p.GetProperty("id").GetString()!.Replace('-', '_')}.{o.GetProperty("name").GetString()}"))
            .ToList() ?? [];
        return QueryEngine.UnknownProduct(reference, known);
    }

    /// <summary>
    /// Products and their endpoints, remembered for <see cref="CacheFor"/>: a query then costs no registry round trip
    /// for them, and a change in the registry reaches queries at most that late. Grants are never cached (a revoke
    /// applies to the next query), nor are unknown products (a new one is queryable at once).
    /// </summary>
    private async Task<JsonElement?> CachedGetAsync(string path, CancellationToken ct)
    {
        if (cache.TryGetValue(path, out JsonElement known))
        {
            return known;
        }

        var found = await GetAsync(path, ct);
        if (found is { } value)
        {
            cache.Set(path, value, CacheFor);
        }

        return found;
    }

    private async Task<JsonElement?> GetAsync(string path, CancellationToken ct)
    {
        using var response = await registry.GetAsync(new Uri(path, UriKind.Relative), ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>(ct);
    }

    private static bool Same(string? output, string table) =>
        string.Equals(output, table, StringComparison.Ordinal) || string.Equals(output?.Replace('-', '_'), table, StringComparison.Ordinal);
}
