using System.Collections.Concurrent;
using System.Text.Json;
using MeshInABox.Domain.Contracts;
using MeshInABox.Iceberg;
using MeshInABox.Iceberg.Scanning;
using MeshInABox.Lakehouse.Engine.Tables;

namespace MeshInABox.Lakehouse.Engine.Query;

/// <summary>How each kind of product storage reads as a DuckDB SELECT.</summary>
public static class ProductSources
{
    // Planning reads the manifests; a table's plan only changes with its metadata version.
    private static readonly ConcurrentDictionary<(string Directory, int Version, long? Snapshot), string> Plans = new();

    /// <summary>An Iceberg table's current snapshot, or the version asked for.</summary>
    /// <exception cref="QueryRejectedException">The table has no such snapshot, none yet at that time, or is not a readable table.</exception>
    public static ProductSource Iceberg(string tableDirectory, TableVersion? at = null)
    {
        try
        {
            return Open(tableDirectory, at);
        }
        catch (Exception error) when (error is IcebergFormatException or IOException or JsonException or InvalidDataException or FormatException
            or KeyNotFoundException or InvalidOperationException or ArgumentException or OverflowException or UnauthorizedAccessException)
        {
            // A folder that looks like a table (it has metadata/) but is not one: the product's data is broken, not the server.
            throw new QueryRejectedException($"The lakehouse table is not readable: {error.Message.Split('\n')[0]}");
        }
    }

    private static ProductSource Open(string tableDirectory, TableVersion? at)
    {
        var table = IcebergTable.Open(tableDirectory);
        var snapshot = at switch
        {
            null => table.Metadata.CurrentSnapshot,
            { SnapshotId: { } id } => table.Metadata.Snapshots.FirstOrDefault(s => s.SnapshotId == id) ?? throw new QueryRejectedException(
                $"The table has no snapshot {id}; it has {string.Join(", ", table.Metadata.Snapshots.Select(s => s.SnapshotId))}."),
            { AsOf: { } time } => table.Metadata.SnapshotAsOf(time) ?? throw new QueryRejectedException(
                $"The table had no data yet at {time:O}" + (table.Metadata.Snapshots.Count == 0 ? "; it has no snapshots at all." :
                $"; its first snapshot is from {DateTimeOffset.FromUnixTimeMilliseconds(table.Metadata.Snapshots.Min(s => s.TimestampMs)):O}.")),
            _ => throw new ArgumentException("A version names a snapshot or a time.", nameof(at)),
        };
        var sql = Plans.GetOrAdd((table.Directory, table.Version, snapshot?.SnapshotId), _ => DuckDbScan.Sql(ScanPlanner.Plan(table, snapshot)));
        if (Plans.Count > 1024)
        {
            Plans.Clear();
        }

        return new ProductSource(sql, [table.Directory], Snapshot: snapshot?.SnapshotId);
    }

    /// <summary>A CSV output whose contract is not at hand: DuckDB infers the column types.</summary>
    public static ProductSource CsvInferred(string path)
    {
        var full = Path.GetFullPath(path);
        return new ProductSource($"SELECT * FROM read_csv({DuckDbScan.Literal(full)}, header = true)", [Path.GetDirectoryName(full)!]);
    }

    /// <summary>A CSV output, typed by its contract (the same types the lakehouse would give it).</summary>
    public static ProductSource Csv(string path, SchemaObject contract)
    {
        var full = Path.GetFullPath(path);
        var columns = string.Join(", ", contract.Properties.Select(p =>
            $"{DuckDbScan.Literal(p.Name)}: {DuckDbScan.Literal(ContractTableSchema.From(contract).Fields.First(f => f.Name == p.Name).DuckDbType)}"));
        return new ProductSource(
            $"SELECT * FROM read_csv({DuckDbScan.Literal(full)}, header = true, auto_detect = false, delim = ',', quote = '\"', columns = {{{columns}}})",
            [Path.GetDirectoryName(full)!]);
    }
}

/// <summary>A fixed map of table names to sources, open to every caller (tools and tests).</summary>
public sealed class MappedProductSources(IReadOnlyDictionary<string, Func<ProductSource>> tables) : IProductSources
{
    public Task<IReadOnlyDictionary<ProductReference, ResolvedProduct>> ResolveAsync(IReadOnlyList<ProductReference> references, string? subject, CancellationToken ct)
    {
        var resolved = new Dictionary<ProductReference, ResolvedProduct>();
        foreach (var reference in references)
        {
            var source = tables.TryGetValue(reference.Key, out var open) ? open() : throw QueryEngine.UnknownProduct(reference, [.. tables.Keys]);
            resolved[reference] = new ResolvedProduct(reference.ProductId, reference.Output, source);
        }

        return Task.FromResult<IReadOnlyDictionary<ProductReference, ResolvedProduct>>(resolved);
    }
}
