using Dapper;
using MeshInABox.Registry.DataHub;
using Npgsql;

namespace MeshInABox.Registry.ProductLineage;

/// <summary>
/// Design-time lineage and the catalog's columns, kept per version. Only each product's current version (its highest
/// active one, <c>current_versions</c>) is read, and the pointer moves in the transaction that activates a version:
/// lineage of SQL that has since changed is never read again, and nothing is half-replaced.
/// </summary>
public sealed class ProductLineageStore(NpgsqlDataSource dataSource) : IOutputLineageReader
{
    /// <summary>A product link as stored: <see cref="Upstream"/> is a product id, or a table's name when <see cref="External"/>.</summary>
    public sealed record StoredLink(string Upstream, string Downstream, string Origin, bool External);

    /// <summary>A column edge of a current version, with the product ids of both ends where they are products.</summary>
    public sealed record StoredColumnEdge(
        string ProductId, string Output, string? ColumnName, string SourceTable, string? SourceProduct, string? SourceOutput, string SourceColumn, string EdgeType, string Subtype);

    /// <summary>A current version whose lineage may be out of date: it could not bind a table, or it reads a product that changed.</summary>
    public sealed record DependentVersion(long VersionId, string ProductId);

    /// <summary>Every current version's outputs and columns: the tables the lineage binder knows.</summary>
    public async Task<IReadOnlyList<CatalogTable>> CatalogAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<(string ProductId, string Domain, string Output, string Name, string? LogicalType)>(new CommandDefinition(
            """
            SELECT cv.product_id, p.domain, c.output, c.name, c.logical_type
            FROM current_versions cv
            JOIN data_products p ON p.id = cv.product_id
            JOIN version_columns c ON c.version_id = cv.version_id
            WHERE p.status <> 'retired'
            ORDER BY p.created_at, cv.product_id, c.output, c.position
            """, cancellationToken: ct));
        return [.. rows.GroupBy(r => (r.ProductId, r.Domain, r.Output))
            .Select(g => new CatalogTable(g.Key.ProductId, g.Key.Domain, g.Key.Output, [.. g.Select(r => (r.Name, r.LogicalType))]))];
    }

    /// <summary>
    /// Records an activated version's columns and lineage, and makes it the product's current version unless a higher
    /// active one already is. Runs in the transaction that activates the version.
    /// </summary>
    public static async Task WriteAsync(NpgsqlTransaction transaction, long versionId, string productId, DesignLineage lineage, DateTimeOffset now, CancellationToken ct)
    {
        var connection = transaction.Connection!;
        var columns = lineage.Columns;
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO version_columns (version_id, output, position, name, logical_type, physical_type, required, primary_key, classification, description)
            SELECT @versionId, * FROM unnest(@outputs, @positions, @names, @logicalTypes, @physicalTypes, @required, @primaryKeys, @classifications, @descriptions)
            """,
            new
            {
                versionId,
                outputs = columns.Select(c => c.Output).ToArray(), positions = columns.Select(c => c.Position).ToArray(),
                names = columns.Select(c => c.Name).ToArray(), logicalTypes = columns.Select(c => c.LogicalType).ToArray(),
                physicalTypes = columns.Select(c => c.PhysicalType).ToArray(), required = columns.Select(c => c.Required).ToArray(),
                primaryKeys = columns.Select(c => c.PrimaryKey).ToArray(), classifications = columns.Select(c => c.Classification).ToArray(),
                descriptions = columns.Select(c => c.Description).ToArray(),
            },
            transaction, cancellationToken: ct));
        await ReplaceLineageAsync(transaction, versionId, lineage.Outputs, ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO current_versions AS cv (product_id, version_id, updated_at) VALUES (@productId, @versionId, @now)
            ON CONFLICT (product_id) DO UPDATE SET version_id = excluded.version_id, updated_at = excluded.updated_at
            WHERE (SELECT ARRAY[major, minor, patch] FROM product_versions WHERE id = cv.version_id)
               <= (SELECT ARRAY[major, minor, patch] FROM product_versions WHERE id = excluded.version_id)
            """,
            new { productId, versionId, now }, transaction, cancellationToken: ct));
    }

    /// <summary>Replaces one version's lineage whole (its columns stay): on activation, and when it is bound again.</summary>
    public static async Task ReplaceLineageAsync(NpgsqlTransaction transaction, long versionId, IReadOnlyList<OutputLineage> outputs, CancellationToken ct)
    {
        var connection = transaction.Connection!;
        await connection.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM design_column_edges WHERE version_id = @versionId;
            DELETE FROM design_dataset_edges WHERE version_id = @versionId;
            DELETE FROM design_lineage_outputs WHERE version_id = @versionId;
            """,
            new { versionId }, transaction, cancellationToken: ct));
        if (outputs.Count == 0)
        {
            return;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO design_lineage_outputs (version_id, output, undetermined, error_kind, error_message)
            SELECT @versionId, * FROM unnest(@outputs, @undetermined, @errorKinds, @errors)
            """,
            new
            {
                versionId, outputs = outputs.Select(o => o.Output).ToArray(), undetermined = outputs.Select(o => o.Undetermined).ToArray(),
                errorKinds = outputs.Select(o => o.Error is null ? null : o.ErrorKind).ToArray(), errors = outputs.Select(o => o.Error).ToArray(),
            },
            transaction, cancellationToken: ct));
        var tables = outputs.SelectMany(o => o.Sources.Select(s => (o.Output, Source: s))).ToList();
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO design_dataset_edges (version_id, output, source_table, source_product, source_output)
            SELECT @versionId, * FROM unnest(@outputs, @tables, @products, @productOutputs)
            """,
            new
            {
                versionId, outputs = tables.Select(t => t.Output).ToArray(), tables = tables.Select(t => t.Source.Table).ToArray(),
                products = tables.Select(t => t.Source.ProductId).ToArray(), productOutputs = tables.Select(t => t.Source.Output).ToArray(),
            },
            transaction, cancellationToken: ct));
        var edges = outputs.SelectMany(o => o.Columns.Select(c => (o.Output, Edge: c))).ToList();
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO design_column_edges (version_id, output, column_name, source_table, source_product, source_output, source_column, edge_type, subtype)
            SELECT @versionId, * FROM unnest(@outputs, @columns, @tables, @products, @productOutputs, @sourceColumns, @types, @subtypes)
            """,
            new
            {
                versionId, outputs = edges.Select(e => e.Output).ToArray(), columns = edges.Select(e => e.Edge.Column).ToArray(),
                tables = edges.Select(e => e.Edge.Source.Table).ToArray(), products = edges.Select(e => e.Edge.Source.ProductId).ToArray(),
                productOutputs = edges.Select(e => e.Edge.Source.Output).ToArray(), sourceColumns = edges.Select(e => e.Edge.SourceColumn).ToArray(),
                types = edges.Select(e => e.Edge.Type).ToArray(), subtypes = edges.Select(e => e.Edge.Subtype).ToArray(),
            },
            transaction, cancellationToken: ct));
    }

    /// <summary>What each output of the product's current version is computed from; empty when it has no SQL (or is unknown).</summary>
    public async Task<IReadOnlyList<OutputLineage>> CurrentOutputsAsync(string productId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        using var read = await connection.QueryMultipleAsync(new CommandDefinition(
            """
            SELECT o.output, o.undetermined, o.error_kind, o.error_message
            FROM current_versions cv JOIN design_lineage_outputs o ON o.version_id = cv.version_id
            WHERE cv.product_id = @productId ORDER BY o.output;
            SELECT d.output, d.source_table, d.source_product, d.source_output
            FROM current_versions cv JOIN design_dataset_edges d ON d.version_id = cv.version_id
            WHERE cv.product_id = @productId ORDER BY d.output, d.source_table;
            SELECT cv.product_id, e.output, e.column_name, e.source_table, e.source_product, e.source_output, e.source_column, e.edge_type, e.subtype
            FROM current_versions cv JOIN design_column_edges e ON e.version_id = cv.version_id
            WHERE cv.product_id = @productId ORDER BY e.output, e.column_name NULLS LAST, e.source_table, e.source_column, e.subtype;
            """,
            new { productId }, cancellationToken: ct));
        var outputs = (await read.ReadAsync<(string Output, string? Undetermined, string? ErrorKind, string? ErrorMessage)>()).ToList();
        var tables = (await read.ReadAsync<(string Output, string SourceTable, string? SourceProduct, string? SourceOutput)>()).ToLookup(t => t.Output);
        var edges = (await read.ReadAsync<StoredColumnEdge>()).ToLookup(e => e.Output);
        return [.. outputs.Select(o => new OutputLineage(
            o.Output,
            [.. tables[o.Output].Select(t => new UpstreamTable(t.SourceTable, t.SourceProduct, t.SourceOutput))],
            [.. edges[o.Output].Select(e => new ColumnSource(e.ColumnName, new UpstreamTable(e.SourceTable, e.SourceProduct, e.SourceOutput), e.SourceColumn, e.EdgeType, e.Subtype))],
            o.Undetermined,
            o.ErrorMessage,
            o.ErrorKind))];
    }

    /// <summary>
    /// Current versions to bind again after <paramref name="productId"/> changed: those whose SQL reads it, and those
    /// whose SQL named a table the catalog did not know.
    /// </summary>
    public async Task<IReadOnlyList<DependentVersion>> DependentsAsync(string productId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<DependentVersion>(new CommandDefinition(
            """
            SELECT cv.version_id, cv.product_id FROM current_versions cv
            WHERE cv.product_id <> @productId
              AND (EXISTS (SELECT 1 FROM design_dataset_edges d WHERE d.version_id = cv.version_id AND d.source_product = @productId)
                   OR EXISTS (SELECT 1 FROM design_lineage_outputs o WHERE o.version_id = cv.version_id AND o.error_kind = 'binding'))
            ORDER BY cv.product_id
            """,
            new { productId }, cancellationToken: ct));
        return [.. rows];
    }

    /// <summary>Replaces a current version's lineage if it is still current (another publish may have moved the pointer meanwhile).</summary>
    public async Task<bool> RebindAsync(DependentVersion version, IReadOnlyList<OutputLineage> outputs, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        // The pointer's row lock keeps a concurrent publish of the same product from interleaving.
        var current = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT version_id FROM current_versions WHERE product_id = @ProductId FOR UPDATE", version, transaction, cancellationToken: ct));
        if (current != version.VersionId)
        {
            return false;
        }

        await ReplaceLineageAsync(transaction, version.VersionId, outputs, ct);
        // The pointer's row is touched: the product graph is cached under a stamp of current_versions (GraphStampAsync).
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE current_versions SET updated_at = greatest(updated_at + interval '1 microsecond', now()) WHERE product_id = @ProductId",
            version, transaction, cancellationToken: ct));
        await transaction.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// A value of everything <see cref="LinksAsync"/> reads (current_versions, whose rows every change of a current
    /// version's lineage touches, and data_products with their declared inputs), which changes whenever any of it does.
    /// Row counts catch deletes, the latest updated_at a change clocked later than the rest, and the sum of the rows'
    /// xmin (the transaction that last wrote each) every other write, even two within one clock tick or under a fixed clock.
    /// </summary>
    public async Task<GraphStamp> GraphStampAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleAsync<GraphStamp>(new CommandDefinition(
            """
            SELECT v.count AS versions, v.updated AS versions_updated, v.writes AS versions_writes,
                   p.count AS products, p.updated AS products_updated, p.writes AS products_writes
            FROM (SELECT count(*) AS count, max(updated_at) AS updated, coalesce(sum(xmin::text::bigint), 0) AS writes FROM current_versions) v,
                 (SELECT count(*) AS count, max(updated_at) AS updated, coalesce(sum(xmin::text::bigint), 0) AS writes FROM data_products) p
            """, cancellationToken: ct));
    }

    /// <summary>See <see cref="GraphStampAsync"/>: equal stamps, the same product graph.</summary>
    public sealed record GraphStamp(long Versions, DateTime? VersionsUpdated, decimal VersionsWrites, long Products, DateTime? ProductsUpdated, decimal ProductsWrites);

    /// <summary>
    /// Every product-to-product link of the mesh: from the current versions' SQL (<c>sql</c>, tables outside the mesh
    /// as external upstreams) and from the inputs products declare (<c>declared</c>). Retired products are left in:
    /// they are still nodes of the graph, shown as retired.
    /// </summary>
    public async Task<IReadOnlyList<StoredLink>> LinksAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<StoredLink>(new CommandDefinition(
            """
            SELECT DISTINCT coalesce(d.source_product, d.source_table) AS upstream, cv.product_id AS downstream, 'sql' AS origin, d.source_product IS NULL AS external
            FROM current_versions cv JOIN design_dataset_edges d ON d.version_id = cv.version_id
            WHERE d.source_product IS DISTINCT FROM cv.product_id
            UNION
            SELECT i.value ->> 'product', p.id, 'declared', false
            FROM data_products p CROSS JOIN LATERAL jsonb_array_elements(p.inputs) i
            WHERE i.value ->> 'product' IS NOT NULL AND i.value ->> 'product' <> p.id
            """, cancellationToken: ct));
        return [.. rows];
    }

    /// <summary>
    /// The column edges around one column, walked in SQL up to <paramref name="maxDepth"/> hops each way: upstream through
    /// what each column is computed from, downstream through what is computed from it.
    /// </summary>
    public async Task<(IReadOnlyList<(StoredColumnEdge Edge, int Distance)> Upstream, IReadOnlyList<(StoredColumnEdge Edge, int Distance)> Downstream)> ColumnEdgesAsync(
        string productId, string output, string column, int maxDepth, bool upstream, bool downstream, CancellationToken ct)
    {
        // Each hop joins the tables afresh, so the walk follows indexes instead of materializing every edge first.
        const string Columns = "cv.product_id, e.output, e.column_name, e.source_table, e.source_product, e.source_output, e.source_column, e.edge_type, e.subtype";
        const string Walked = """
            SELECT product_id, output, column_name, source_table, source_product, source_output, source_column, edge_type, subtype, min(distance) AS distance
            FROM walk GROUP BY product_id, output, column_name, source_table, source_product, source_output, source_column, edge_type, subtype
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var up = !upstream ? [] : await connection.QueryAsync<ColumnEdgeAt>(new CommandDefinition(
            $"""
            WITH RECURSIVE walk AS (
                SELECT {Columns}, 1 AS distance
                FROM current_versions cv JOIN design_column_edges e ON e.version_id = cv.version_id
                WHERE cv.product_id = @productId AND e.output = @output AND e.column_name = @column
                UNION
                SELECT {Columns}, walk.distance + 1
                FROM walk
                JOIN current_versions cv ON cv.product_id = walk.source_product
                JOIN design_column_edges e ON e.version_id = cv.version_id AND e.output = walk.source_output AND e.column_name = walk.source_column
                WHERE walk.distance < @maxDepth)
            {Walked}
            """,
            new { productId, output, column, maxDepth }, cancellationToken: ct));
        var down = !downstream ? [] : await connection.QueryAsync<ColumnEdgeAt>(new CommandDefinition(
            $"""
            WITH RECURSIVE walk AS (
                SELECT {Columns}, 1 AS distance
                FROM design_column_edges e JOIN current_versions cv ON cv.version_id = e.version_id
                WHERE e.source_product = @productId AND e.source_output = @output AND e.source_column = @column AND e.column_name IS NOT NULL
                UNION
                SELECT {Columns}, walk.distance + 1
                FROM walk
                JOIN design_column_edges e ON e.source_product = walk.product_id AND e.source_output = walk.output AND e.source_column = walk.column_name
                JOIN current_versions cv ON cv.version_id = e.version_id
                WHERE walk.distance < @maxDepth AND e.column_name IS NOT NULL)
            {Walked}
            """,
            new { productId, output, column, maxDepth }, cancellationToken: ct));
        return ([.. up.Select(r => r.ToEdge())], [.. down.Select(r => r.ToEdge())]);
    }

    /// <summary>Whether the product's current version has that output column (a column path starts from a known column).</summary>
    public async Task<bool> HasColumnAsync(string productId, string output, string column, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            """
            SELECT EXISTS (SELECT 1 FROM current_versions cv JOIN version_columns c ON c.version_id = cv.version_id
                           WHERE cv.product_id = @productId AND c.output = @output AND c.name = @column)
            """,
            new { productId, output, column }, cancellationToken: ct));
    }

    /// <summary>The outputs of the product's current version that have a column of that name.</summary>
    public async Task<IReadOnlyList<string>> OutputsWithColumnAsync(string productId, string column, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<string>(new CommandDefinition(
            """
            SELECT DISTINCT c.output FROM current_versions cv JOIN version_columns c ON c.version_id = cv.version_id
            WHERE cv.product_id = @productId AND c.name = @column ORDER BY 1
            """,
            new { productId, column }, cancellationToken: ct));
        return [.. rows];
    }

    /// <summary>The columns of <paramref name="productId"/> each downstream product's current SQL reads directly.</summary>
    public async Task<ILookup<string, string>> ColumnsReadAsync(string productId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<(string Reader, string Column)>(new CommandDefinition(
            """
            SELECT DISTINCT cv.product_id, e.source_output || '.' || e.source_column
            FROM current_versions cv JOIN design_column_edges e ON e.version_id = cv.version_id
            WHERE e.source_product = @productId AND cv.product_id <> @productId
            ORDER BY 1, 2
            """,
            new { productId }, cancellationToken: ct));
        return rows.ToLookup(r => r.Reader, r => r.Column);
    }

    private sealed record ColumnEdgeAt(
        string ProductId, string Output, string? ColumnName, string SourceTable, string? SourceProduct, string? SourceOutput, string SourceColumn, string EdgeType, string Subtype, int Distance)
    {
        public (StoredColumnEdge, int) ToEdge() =>
            (new StoredColumnEdge(ProductId, Output, ColumnName, SourceTable, SourceProduct, SourceOutput, SourceColumn, EdgeType, Subtype), Distance);
    }
}
