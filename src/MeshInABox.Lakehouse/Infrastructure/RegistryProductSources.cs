using System.Net;
using System.Text.Json;
using MeshInABox.Domain.Naming;
using MeshInABox.Lakehouse.Engine.Query;
using MeshInABox.Lakehouse.Extensions;
using MeshInABox.ServiceDefaults.Locations;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MeshInABox.Lakehouse.Infrastructure;

/// <summary>
/// Resolves <c>domain.product.table</c> (already checked by <see cref="ProductNames"/>) through the registry: the
/// table must be one of the product's outputs as the registry lists them, and where its data is comes from the
/// locator, checked again here (the registry checks it when it is written): files only in the product's own folder
/// of a mesh repository, PostgreSQL tables only in the mesh database and the product's own schema.
/// </summary>
public sealed class RegistryProductSources(
    HttpClient registry, LakehouseOptions options, IConfiguration configuration, IOptions<LocationOptions> locations, RegistryCache cache) : IProductSources
{
    /// <summary>How long a client is asked to wait when the registry or PostgreSQL is down.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    /// <exception cref="QueryRejectedException">A product is unknown, restricted, not queryable, or the registry is down.</exception>
    /// <param name="subject">The caller's identity (a token's sub, checked by <see cref="MeshNames.Subject"/>), null when anonymous.</param>
    public async Task<IReadOnlyDictionary<ProductReference, ResolvedProduct>> ResolveAsync(IReadOnlyList<ProductReference> references, string? subject, CancellationToken ct)
    {
        if (subject is not null && MeshNames.Subject(subject) is { } rule)
        {
            throw new QueryRejectedException($"The token's subject is refused: {rule}", forbidden: true);
        }

        // Every name is found (and allowed) before any table is opened: an unknown or forbidden product is told first.
        var found = new List<(ProductReference Reference, string ProductId, string Output, Func<CancellationToken, Task<ProductSource>> Open)>();
        foreach (var reference in references)
        {
            var productId = reference.ProductId;
            var product = await CachedGetAsync(ProductPath(productId), ct);
            if (product is not { } known || known.GetProperty("id").GetString() != productId)
            {
                throw await UnknownAsync(reference, ct);
            }

            if (known.GetProperty("classification").GetString() == "restricted" && !await HoldsGrantAsync(productId, subject, ct))
            {
                throw new QueryRejectedException(
                    $"'{productId}' is restricted and {(subject is null ? "the query carries no token" : $"'{subject}' holds no grant on it")}. " +
                    $"Ask its owner ({known.GetProperty("owner").GetString()}) to grant access: PUT /data-products/{productId}/grants/<your token's sub>.",
                    reference.Position, forbidden: true);
            }

            var outputs = known.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("name").GetString()!).ToList();
            var output = outputs.FirstOrDefault(o => ProductNames.Names(reference, o))
                ?? throw QueryEngine.UnknownProduct(reference, [.. outputs.Select(o => $"{reference.Domain}.{reference.Product}.{o.Replace('-', '_')}")]);
            var endpoints = await CachedGetAsync($"{ProductPath(productId)}/endpoints", ct) ?? default;
            var endpoint = endpoints.ValueKind == JsonValueKind.Array
                ? endpoints.EnumerateArray().FirstOrDefault(e => e.GetProperty("output").GetString() == output)
                : default;
            found.Add((reference, productId, output, Source(productId, output, reference, endpoint, $"pg_source_{found.Count}", subject)));
        }

        var resolved = new Dictionary<ProductReference, ResolvedProduct>();
        foreach (var (reference, productId, output, open) in found)
        {
            resolved[reference] = new ResolvedProduct(productId, output, await open(ct));
        }

        return resolved;
    }

    private static string ProductPath(string productId) => $"data-products/{Uri.EscapeDataString(productId)}";

    /// <summary>A live grant check (never cached: a revoke applies to the next query); the answer must be about exactly this product and subject.</summary>
    private async Task<bool> HoldsGrantAsync(string productId, string? subject, CancellationToken ct)
    {
        if (subject is null)
        {
            return false;
        }

        JsonElement? grant;
        try
        {
            grant = await GetAsync($"{ProductPath(productId)}/grants/{Uri.EscapeDataString(subject)}", ct);
        }
        catch (RegistryUnavailableException error)
        {
            throw Unavailable(error);
        }

        return grant is { ValueKind: JsonValueKind.Object } answer
            && answer.TryGetProperty("productId", out var product) && product.ValueKind == JsonValueKind.String && product.GetString() == productId
            && answer.TryGetProperty("subject", out var holder) && holder.ValueKind == JsonValueKind.String && holder.GetString() == subject;
    }

    /// <summary>How to open the table, once every name of the query is known to be readable.</summary>
    private Func<CancellationToken, Task<ProductSource>> Source(string productId, string output, ProductReference reference, JsonElement endpoint, string functionName, string? subject)
    {
        var dot = productId.IndexOf('.');
        var (domain, slug) = (productId[..dot], productId[(dot + 1)..]);
        if ((MeshNames.ProductId(productId) ?? MeshNames.Output(output)) is { } broken)
        {
            throw new QueryRejectedException($"'{reference}' cannot be read: the registry's name for it breaks the naming rules: {broken}", reference.Position);
        }

        // Every part was checked against the naming rules: none is a separator or '..'.
        var table = Path.Join(Path.GetFullPath(options.LakeRoot), domain, slug, output);
        if (Directory.Exists(Path.Join(table, "metadata")))
        {
            return _ => Task.FromResult(ProductSources.Iceberg(table, reference.At));
        }

        if (reference.At is not null)
        {
            throw new QueryRejectedException($"'{reference}' is not a lakehouse table: only lakehouse tables keep versions to query AT (VERSION/TIMESTAMP => ...).", reference.Position);
        }

        var kind = endpoint.ValueKind == JsonValueKind.Object ? endpoint.GetProperty("kind").GetString() : null;
        var location = endpoint.ValueKind == JsonValueKind.Object && endpoint.TryGetProperty("location", out var l) ? l : default;
        if (kind == "csv" && Text(location, "path") is { } path)
        {
            var file = ProductFolders.Resolve(path, domain, slug, locations.Value.RepositoryRoots, out var reason)
                ?? throw new QueryRejectedException($"'{reference}' cannot be read from {MeshNames.Quote(path)}: {reason}", reference.Position, forbidden: true);
            return File.Exists(file)
                ? _ => Task.FromResult(ProductSources.CsvInferred(file))
                : throw new QueryRejectedException($"'{reference}' has no data yet: its file {MeshNames.Quote(file)} does not exist.", reference.Position);
        }

        if (kind == "postgres")
        {
            return PostgresSource(productId, reference, location, functionName, subject);
        }

        throw new QueryRejectedException(
            $"'{reference}' has no queryable data yet: its locator names {(kind is null ? "no endpoint" : $"a {kind} endpoint")} " +
            "and the lakehouse service reads CSV files, lakehouse tables and PostgreSQL tables ({\"database\", \"schema\", \"table\"}).",
            reference.Position);
    }

    /// <summary>A PostgreSQL product: only in the mesh database, only in the product's own schema.</summary>
    private Func<CancellationToken, Task<ProductSource>> PostgresSource(string productId, ProductReference reference, JsonElement location, string functionName, string? subject)
    {
        var server = configuration.GetConnectionString(LakehouseApplicationExtensions.DatabaseName)
            ?? throw new QueryRejectedException($"'{reference}' lives in PostgreSQL, but this service has no ConnectionStrings:{LakehouseApplicationExtensions.DatabaseName} to reach it.", reference.Position);
        var meshDatabase = new NpgsqlConnectionStringBuilder(server).Database ?? "postgres";
        var ownSchema = MeshNames.ProductSchema(productId);
        var database = Text(location, "database") ?? meshDatabase;
        var schema = Text(location, "schema") ?? ownSchema;
        var name = Text(location, "table");
        if (database != meshDatabase)
        {
            throw new QueryRejectedException(
                $"'{reference}' cannot be read from database {MeshNames.Quote(database)}: PostgreSQL products live in the mesh database ('{meshDatabase}').",
                reference.Position, forbidden: true);
        }

        if (schema != ownSchema)
        {
            throw new QueryRejectedException(
                $"'{reference}' cannot be read from schema {MeshNames.Quote(schema)}: a PostgreSQL product lives in its own schema, '{ownSchema}' " +
                "(domain__name, hyphens as underscores).", reference.Position, forbidden: true);
        }

        if (name is null || name.Length is 0 or > 63 || name.Any(char.IsControl))
        {
            throw new QueryRejectedException($"'{reference}' has no readable PostgreSQL table: its locator's table {MeshNames.Quote(name)} is not a table name.", reference.Position);
        }

        var at = new PostgresLocation(database, schema, name);
        // The consumer's own role: PostgreSQL decides what they may read.
        var role = subject is null ? null : new PostgresRoles(configuration[PostgresRoles.PrefixSetting] ?? PostgresRoles.DefaultPrefix).Consumer(subject);
        return ct => PostgresTableSource.CreateAsync(server, at, functionName, role, ct);
    }

    private static string? Text(JsonElement location, string property) =>
        location.ValueKind == JsonValueKind.Object && location.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private async Task<QueryRejectedException> UnknownAsync(ProductReference reference, CancellationToken ct)
    {
        List<string> known;
        try
        {
            var page = await GetAsync("data-products?pageSize=200", ct);
            known = page?.GetProperty("items").EnumerateArray()
                .SelectMany(p => p.GetProperty("outputs").EnumerateArray().Select(o => $"{p.GetProperty("id").GetString()!.Replace('-', '_')}.{o.GetProperty("name").GetString()}"))
                .ToList() ?? [];
        }
        catch (RegistryUnavailableException)
        {
            // Suggestions are a courtesy: without them the answer is still right.
            known = [];
        }

        return QueryEngine.UnknownProduct(reference, known);
    }

    /// <summary>
    /// Products and their endpoints, fresh for <see cref="RegistryCache.FreshFor"/>; while the registry fails, its
    /// last good answer (up to <see cref="RegistryCache.StaleFor"/> old). Unknown products are never remembered.
    /// </summary>
    private async Task<JsonElement?> CachedGetAsync(string path, CancellationToken ct)
    {
        if (cache.TryFresh(path, out var known))
        {
            return known;
        }

        JsonElement? found;
        try
        {
            found = await GetAsync(path, ct);
        }
        catch (RegistryUnavailableException error)
        {
            return cache.TryStale(path, out var stale) ? stale : throw Unavailable(error);
        }

        if (found is { } value)
        {
            cache.Remember(path, value);
        }
        else
        {
            cache.Forget(path);
        }

        return found;
    }

    private static QueryRejectedException Unavailable(RegistryUnavailableException error) => new(
        $"The registry cannot answer right now ({error.Message}), so the query's products cannot be resolved; retry in a few seconds.", unavailable: true);

    private async Task<JsonElement?> GetAsync(string path, CancellationToken ct)
    {
        try
        {
            using var response = await registry.GetAsync(new Uri(path, UriKind.Relative), ct);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new RegistryUnavailableException($"it answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            return await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        }
        catch (Exception error) when (error is HttpRequestException or JsonException or TimeoutException or Polly.ExecutionRejectedException
            || error is OperationCanceledException && !ct.IsCancellationRequested)
        {
            throw new RegistryUnavailableException(error.Message.Split('\n')[0]);
        }
    }

    private sealed class RegistryUnavailableException(string message) : Exception(message);
}
