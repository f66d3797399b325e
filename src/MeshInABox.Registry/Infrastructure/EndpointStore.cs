using System.Text.Json;
using Dapper;
using MeshInABox.Domain.Products;
using MeshInABox.Registry.Products;
using Npgsql;

namespace MeshInABox.Registry.Infrastructure;

/// <summary>The locator: where each output's data lives, as the storage plane and publishing record it.</summary>
public sealed class EndpointStore(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<RecordedEndpoint>> ListAsync(string productId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<EndpointRow>(new CommandDefinition(
            "SELECT output, kind, location::text AS location, updated_at FROM product_endpoints WHERE product_id = @productId ORDER BY output",
            new { productId }, cancellationToken: ct));
        return [.. rows.Select(r => new RecordedEndpoint(
            r.Output, StoreJson.Enum<OutputKind>(r.Kind), JsonDocument.Parse(r.Location).RootElement.Clone(), Time.Utc(r.UpdatedAt)))];
    }

    public async Task PutAsync(string productId, string output, OutputKind kind, object location, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await UpsertAsync(transaction, productId, output, kind, location, now, ct);
        await Outbox.AppendAsync(transaction, Outbox.Events.EndpointUpdated, productId, new { output, kind, location }, now, ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>Removes every endpoint of a retired product, with one event naming them; its catalog entry stays.</summary>
    public async Task RemoveAllAsync(string productId, object archives, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var removed = (await connection.QueryAsync<string>(new CommandDefinition(
            "DELETE FROM product_endpoints WHERE product_id = @productId RETURNING output", new { productId }, transaction, cancellationToken: ct))).ToList();
        await Outbox.AppendAsync(transaction, Outbox.Events.ProductArchived, productId, new { removed, archives }, now, ct);
        await transaction.CommitAsync(ct);
    }

    internal static Task UpsertAsync(NpgsqlTransaction transaction, string productId, string output, OutputKind kind, object location, DateTimeOffset now, CancellationToken ct) =>
        transaction.Connection!.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO product_endpoints (product_id, output, kind, location, updated_at)
            VALUES (@productId, @output, @kind, @location::jsonb, @now)
            ON CONFLICT (product_id, output) DO UPDATE SET kind = excluded.kind, location = excluded.location, updated_at = excluded.updated_at
            """,
            new { productId, output, kind = EnumNames.Of(kind), location = location is JsonElement json ? json.GetRawText() : StoreJson.Serialize(location), now },
            transaction, cancellationToken: ct));

    /// <param name="Location">Where the data is, as the kind's location object (never secrets).</param>
    public sealed record RecordedEndpoint(string Output, OutputKind Kind, JsonElement Location, DateTimeOffset UpdatedAt)
    {
        /// <summary>Whether the storage plane created it (and wrote this entry).</summary>
        public bool Provisioned => Location.TryGetProperty("provisioned", out var provisioned) && provisioned.ValueKind == JsonValueKind.True;
    }

    private sealed record EndpointRow(string Output, string Kind, string Location, DateTime UpdatedAt);
}
