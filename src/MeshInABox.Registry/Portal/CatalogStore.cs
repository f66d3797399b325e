using Dapper;
using MeshInABox.Domain.Naming;
using MeshInABox.Registry.Infrastructure;
using Npgsql;

namespace MeshInABox.Registry.Portal;

/// <summary>The catalog's own reads: search across products and their current columns, and the domain listing.</summary>
public sealed class CatalogStore(NpgsqlDataSource dataSource)
{
    /// <summary>Longer search text is refused (400): no product name or column is that long, and a pattern's cost grows with it.</summary>
    public const int MaxQueryLength = 100;

    public const int MaxResults = 50;

    /// <summary>A search hit: the product, which of its current columns matched, and why it ranks where it does (0 = name first).</summary>
    /// <remarks>Properties, not a positional record: Dapper reads text[] as an untyped array, which no constructor takes.</remarks>
    public sealed class Hit
    {
        public string Id { get; init; } = "";
        public string Name { get; init; } = "";
        public string Domain { get; init; } = "";
        public string Owner { get; init; } = "";
        public string Description { get; init; } = "";
        public string Status { get; init; } = "";
        public string[] Tags { get; init; } = [];
        public string[] MatchedColumns { get; init; } = [];
        public int Rank { get; init; }
    }

    public sealed class DomainSummary
    {
        public string Domain { get; init; } = "";
        public long Products { get; init; }
        public string[] Owners { get; init; } = [];
    }

    public sealed record ListedProduct(string Id, string Name, string Domain, string Owner, string Description, string Status, string? LatestVersion);

    /// <summary>
    /// Products whose name, id, description, tags, owner, domain or a column of their current version contains the text
    /// (case-insensitive, wildcards taken literally); names that start with it first, then names that contain it, then the rest.
    /// </summary>
    public async Task<IReadOnlyList<Hit>> SearchAsync(string text, CancellationToken ct)
    {
        var term = ProductStore.EscapeLike(text.Trim());
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<Hit>(new CommandDefinition(
            """
            WITH columns AS (
                SELECT cv.product_id, c.name
                FROM current_versions cv JOIN version_columns c ON c.version_id = cv.version_id
                WHERE c.name ILIKE @pattern)
            SELECT p.id, p.name, p.domain, p.owner, p.description, p.status, p.tags,
                   ARRAY(SELECT DISTINCT c.name FROM columns c WHERE c.product_id = p.id ORDER BY c.name LIMIT 5) AS matched_columns,
                   CASE WHEN p.name ILIKE @prefix THEN 0
                        WHEN p.name ILIKE @pattern OR p.id ILIKE @pattern THEN 1
                        WHEN EXISTS (SELECT 1 FROM unnest(p.tags) t WHERE t ILIKE @pattern) OR p.domain ILIKE @pattern OR p.owner ILIKE @pattern THEN 2
                        WHEN EXISTS (SELECT 1 FROM columns c WHERE c.product_id = p.id) THEN 3
                        ELSE 4 END AS rank
            FROM data_products p
            WHERE p.name ILIKE @pattern OR p.id ILIKE @pattern OR p.description ILIKE @pattern
               OR p.owner ILIKE @pattern OR p.domain ILIKE @pattern
               OR EXISTS (SELECT 1 FROM unnest(p.tags) t WHERE t ILIKE @pattern)
               OR EXISTS (SELECT 1 FROM columns c WHERE c.product_id = p.id)
            ORDER BY rank, lower(p.name), p.id
            LIMIT @limit
            """,
            new { pattern = "%" + term + "%", prefix = term + "%", limit = MaxResults }, cancellationToken: ct));
        return [.. rows];
    }

    public async Task<IReadOnlyList<DomainSummary>> DomainsAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<DomainSummary>(new CommandDefinition(
            "SELECT domain, count(*) AS products, array_agg(DISTINCT owner ORDER BY owner) AS owners FROM data_products GROUP BY domain ORDER BY domain",
            cancellationToken: ct));
        return [.. rows];
    }

    /// <param name="domain">One domain's products, or every product when null.</param>
    public async Task<IReadOnlyList<ListedProduct>> ProductsAsync(string? domain, CancellationToken ct)
    {
        if (domain is not null && MeshNames.Domain(domain) is not null)
        {
            return [];
        }

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<ListedProduct>(new CommandDefinition(
            """
            SELECT p.id, p.name, p.domain, p.owner, p.description, p.status,
                   (SELECT v.version FROM product_versions v
                    WHERE v.product_id = p.id AND v.status = 'active'
                    ORDER BY v.major DESC, v.minor DESC, v.patch DESC LIMIT 1) AS latest_version
            FROM data_products p
            WHERE @domain IS NULL OR p.domain = @domain
            ORDER BY p.domain, lower(p.name), p.id
            """,
            new { domain }, cancellationToken: ct));
        return [.. rows];
    }
}
