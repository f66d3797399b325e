using System.Text.Json;
using Dapper;
using MeshInABox.Domain.Naming;
using MeshInABox.Domain.Products;
using MeshInABox.Registry.Products;
using Npgsql;

namespace MeshInABox.Registry.Infrastructure;

/// <summary>Data products in PostgreSQL; every change writes its event in the same transaction.</summary>
public sealed class ProductStore(NpgsqlDataSource dataSource)
{
    private const string SelectProduct = """
        SELECT p.id, p.name, p.domain, p.owner, p.description, p.business_unit, p.tags, p.classification, p.status,
               p.outputs::text AS outputs, p.inputs::text AS inputs, p.sunset_at, p.deprecation_message, p.deprecation_impact::text AS deprecation_impact,
               p.created_at, p.updated_at,
               (SELECT v.version FROM product_versions v
                WHERE v.product_id = p.id AND v.status = 'active'
                ORDER BY v.major DESC, v.minor DESC, v.patch DESC LIMIT 1) AS latest_version
        FROM data_products p
        """;

    /// <summary>A product to register, checked; also the payload of its product.registered event.</summary>
    public sealed record NewProduct(
        string Id, string Name, string Domain, string Owner, string Description, string? BusinessUnit,
        IReadOnlyList<string> Tags, Classification Classification, IReadOnlyList<RegisteredOutput> Outputs, IReadOnlyList<RegisteredInput> Inputs);

    /// <returns>The product, or null when the id is taken.</returns>
    public async Task<RegisteredProduct?> RegisterAsync(NewProduct product, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var inserted = await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO data_products (id, name, domain, owner, description, business_unit, tags, classification, status,
                                       outputs, inputs, created_at, updated_at)
            VALUES (@Id, @Name, @Domain, @Owner, @Description, @BusinessUnit, @Tags, @classification, @status,
                    @outputs::jsonb, @inputs::jsonb, @now, @now)
            ON CONFLICT (id) DO NOTHING
            """,
            new
            {
                product.Id, product.Name, product.Domain, product.Owner, product.Description, product.BusinessUnit,
                Tags = product.Tags.ToArray(), classification = EnumNames.Of(product.Classification), status = EnumNames.Of(ProductStatus.Active),
                outputs = StoreJson.Serialize(product.Outputs), inputs = StoreJson.Serialize(product.Inputs), now,
            },
            transaction, cancellationToken: ct));
        if (inserted == 0)
        {
            return null;
        }

        await Outbox.AppendAsync(transaction, Outbox.Events.ProductRegistered, product.Id, product, now, ct);
        var registered = await GetWrittenAsync(transaction, product.Id, ct);
        await transaction.CommitAsync(ct);
        return registered;
    }

    public async Task<RegisteredProduct?> GetAsync(string id, CancellationToken ct)
    {
        // No product can have an id that breaks the rule: such a route value (a NUL, 100,000 characters) is simply unknown.
        if (MeshNames.ProductId(id) is not null)
        {
            return null;
        }

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<ProductRow>(new CommandDefinition(
            SelectProduct + " WHERE p.id = @id", new { id }, cancellationToken: ct));
        return row?.ToProduct();
    }

    public sealed record Search(string? Q, string? Domain, string? Owner, string? Tag, ProductStatus? Status, int Page, int PageSize);

    public sealed record SearchPage(IReadOnlyList<RegisteredProduct> Items, long Total);

    public async Task<SearchPage> SearchAsync(Search search, CancellationToken ct)
    {
        const string Where = """
            WHERE (@Q IS NULL OR p.name ILIKE @pattern OR p.description ILIKE @pattern OR p.id ILIKE @pattern
                   OR EXISTS (SELECT 1 FROM unnest(p.tags) t WHERE t ILIKE @pattern))
              AND (@Domain IS NULL OR p.domain = @Domain)
              AND (@Owner IS NULL OR p.owner = @Owner)
              AND (@Tag IS NULL OR @Tag = ANY (p.tags))
              AND (@Status IS NULL OR p.status = @Status)
            """;
        var args = new
        {
            search.Q, search.Domain, search.Owner, search.Tag, Status = search.Status is { } status ? EnumNames.Of(status) : null,
            pattern = search.Q is null ? null : "%" + EscapeLike(search.Q) + "%",
            limit = search.PageSize, offset = (search.Page - 1L) * search.PageSize,
        };
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM data_products p " + Where, args, cancellationToken: ct));
        var rows = await connection.QueryAsync<ProductRow>(new CommandDefinition(
            SelectProduct + " " + Where + " ORDER BY p.id LIMIT @limit OFFSET @offset", args, cancellationToken: ct));
        return new SearchPage([.. rows.Select(r => r.ToProduct())], total);
    }

    /// <param name="audience">Whom the notice names: the products built on this one and its recent consumers, as they were at deprecation.</param>
    public async Task<RegisteredProduct> DeprecateAsync(string id, DateTimeOffset sunsetAt, string message, DeprecationAudience audience, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE data_products SET status = @status, sunset_at = @sunsetAt, deprecation_message = @message, deprecation_impact = @impact::jsonb, updated_at = @now
            WHERE id = @id
            """,
            new { id, status = EnumNames.Of(ProductStatus.Deprecated), sunsetAt, message, impact = StoreJson.Serialize(audience), now }, transaction, cancellationToken: ct));
        await Outbox.AppendAsync(transaction, Outbox.Events.ProductDeprecated, id, new { sunsetAt, message, downstream = audience.Downstream.Select(d => new { d.ProductId, d.Owner }) }, now, ct);
        var product = await GetWrittenAsync(transaction, id, ct);
        await transaction.CommitAsync(ct);
        return product;
    }

    public async Task<RegisteredProduct> RetireAsync(string id, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE data_products SET status = @status, updated_at = @now WHERE id = @id",
            new { id, status = EnumNames.Of(ProductStatus.Retired), now }, transaction, cancellationToken: ct));
        await Outbox.AppendAsync(transaction, Outbox.Events.ProductRetired, id, new { retiredAt = now }, now, ct);
        var product = await GetWrittenAsync(transaction, id, ct);
        await transaction.CommitAsync(ct);
        return product;
    }

    /// <summary>The product as the transaction that just wrote it sees it.</summary>
    private static async Task<RegisteredProduct> GetWrittenAsync(NpgsqlTransaction transaction, string id, CancellationToken ct)
    {
        var row = await transaction.Connection!.QuerySingleAsync<ProductRow>(new CommandDefinition(
            SelectProduct + " WHERE p.id = @id", new { id }, transaction, cancellationToken: ct));
        return row.ToProduct();
    }

    /// <summary>A search term matches as written: LIKE's wildcards and its escape character are escaped (ILIKE's default escape is the backslash).</summary>
    internal static string EscapeLike(string term) =>
        term.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    /// <summary>A row as Dapper reads it; properties, because Dapper reads text[] as an untyped array.</summary>
    internal sealed class ProductRow
    {
        public string Id { get; init; } = "";
        public string Name { get; init; } = "";
        public string Domain { get; init; } = "";
        public string Owner { get; init; } = "";
        public string Description { get; init; } = "";
        public string? BusinessUnit { get; init; }
        public string[] Tags { get; init; } = [];
        public string Classification { get; init; } = "";
        public string Status { get; init; } = "";
        public string Outputs { get; init; } = "[]";
        public string Inputs { get; init; } = "[]";
        public DateTime? SunsetAt { get; init; }
        public string? DeprecationMessage { get; init; }
        public string? DeprecationImpact { get; init; }
        public DateTime CreatedAt { get; init; }
        public DateTime UpdatedAt { get; init; }
        public string? LatestVersion { get; init; }

        public RegisteredProduct ToProduct() => new(
            Id, Name, Domain, Owner, Description, BusinessUnit, Tags,
            StoreJson.Enum<Classification>(Classification), StoreJson.Enum<ProductStatus>(Status),
            StoreJson.List<RegisteredOutput>(Outputs), StoreJson.List<RegisteredInput>(Inputs),
            SunsetAt is null ? null : new Deprecation(
                Time.Utc(SunsetAt.Value), DeprecationMessage ?? "",
                DeprecationImpact is null ? null : JsonSerializer.Deserialize<DeprecationAudience>(DeprecationImpact, StoreJson.Options)),
            LatestVersion, Time.Utc(CreatedAt), Time.Utc(UpdatedAt));
    }
}
