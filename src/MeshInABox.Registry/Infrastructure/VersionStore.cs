using Dapper;
using MeshInABox.Domain.Contracts;
using MeshInABox.Domain.Products;
using MeshInABox.Domain.Versioning;
using MeshInABox.Registry.ProductLineage;
using MeshInABox.Registry.Products;
using MeshInABox.Registry.Publishing;
using Npgsql;
using Semver;

namespace MeshInABox.Registry.Infrastructure;

/// <summary>
/// Published versions. Publishing takes the product's row lock, so the
/// idempotency key, the version number and the product's lifecycle are
/// checked and written as one step however many clients race.
/// </summary>
public sealed class VersionStore(NpgsqlDataSource dataSource)
{
    private const string SelectVersion = """
        SELECT id, product_id, version, status, contract, stream_contract, content_hash, outputs::text AS outputs, idempotency_key, request_hash,
               reasons::text AS reasons, changes::text AS changes, impact::text AS impact, provisioning::text AS provisioning, attempts, last_error, lease_until, created_at, updated_at
        FROM product_versions
        """;

    public sealed record Submission(
        string ProductId, SemVersion Version, string Contract, string? StreamContract, string ContentHash,
        IReadOnlyList<RegisteredOutput> Outputs, string IdempotencyKey, string RequestHash);

    public async Task<SubmitOutcome> SubmitAsync(Submission submission, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var productStatus = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT status FROM data_products WHERE id = @ProductId FOR UPDATE", submission, transaction, cancellationToken: ct));
        if (productStatus is null)
        {
            return new SubmitOutcome.ProductNotFound();
        }

        // One read for both rules: an earlier request under this key, and a live version with this number.
        var earlier = (await connection.QueryAsync<VersionRow>(new CommandDefinition(
            SelectVersion + " WHERE product_id = @ProductId AND (idempotency_key = @IdempotencyKey OR (version = @version AND status <> 'rejected'))",
            new { submission.ProductId, submission.IdempotencyKey, version = submission.Version.ToString() }, transaction, cancellationToken: ct)))
            .Select(r => r.ToVersion()).ToList();
        if (earlier.FirstOrDefault(v => v.IdempotencyKey == submission.IdempotencyKey) is { } sameKey)
        {
            return sameKey.RequestHash == submission.RequestHash ? new SubmitOutcome.Repeated(sameKey) : new SubmitOutcome.KeyReusedWithOtherBody(sameKey);
        }

        if (StoreJson.Enum<ProductStatus>(productStatus) == ProductStatus.Retired)
        {
            return new SubmitOutcome.ProductRetired();
        }

        if (earlier.FirstOrDefault() is { } sameNumber)
        {
            // The same content under another key is the same version; other content may not reuse the number.
            return sameNumber.ContentHash == submission.ContentHash ? new SubmitOutcome.Repeated(sameNumber) : new SubmitOutcome.VersionTaken(sameNumber);
        }

        var row = await connection.QuerySingleAsync<VersionRow>(new CommandDefinition(
            """
            WITH inserted AS (
                INSERT INTO product_versions (product_id, version, major, minor, patch, status, contract, stream_contract, content_hash, outputs,
                                              idempotency_key, request_hash, created_at, updated_at)
                VALUES (@ProductId, @version, @major, @minor, @patch, @status, @Contract, @StreamContract, @ContentHash, @outputs::jsonb,
                        @IdempotencyKey, @RequestHash, @now, @now)
                RETURNING *),
            event AS (
                INSERT INTO outbox (event_type, product_id, payload, created_at)
                SELECT @event, product_id, jsonb_build_object('version', version), @now FROM inserted)
            SELECT id, product_id, version, status, contract, stream_contract, content_hash, outputs::text AS outputs, idempotency_key, request_hash,
                   reasons::text AS reasons, changes::text AS changes, impact::text AS impact, provisioning::text AS provisioning, attempts, last_error, lease_until, created_at, updated_at
            FROM inserted
            """,
            new
            {
                submission.ProductId, version = submission.Version.ToString(),
                major = (int)submission.Version.Major, minor = (int)submission.Version.Minor, patch = (int)submission.Version.Patch,
                status = EnumNames.Of(VersionStatus.Accepted),
                submission.Contract, submission.StreamContract, submission.ContentHash, outputs = StoreJson.Serialize(submission.Outputs),
                submission.IdempotencyKey, submission.RequestHash, now, @event = Outbox.Events.VersionAccepted,
            },
            transaction, cancellationToken: ct));
        await transaction.CommitAsync(ct);
        return new SubmitOutcome.Accepted(row.ToVersion());
    }

    public async Task<PublishedVersion?> GetAsync(string productId, string version, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        // A number may have been rejected before it was accepted again: show the live one, else the latest attempt.
        var row = await connection.QueryFirstOrDefaultAsync<VersionRow>(new CommandDefinition(
            SelectVersion + " WHERE product_id = @productId AND version = @version ORDER BY (status <> 'rejected') DESC, id DESC",
            new { productId, version }, cancellationToken: ct));
        return row?.ToVersion();
    }

    /// <summary>The contract of the product's latest active version, or null when it has none (or it no longer reads).</summary>
    public async Task<DataContract?> CurrentContractAsync(RegisteredProduct product, CancellationToken ct)
    {
        if (product.LatestVersion is null || await GetAsync(product.Id, product.LatestVersion, ct) is not { } version)
        {
            return null;
        }

        var read = ContractReader.Read(version.Contract, "contract.yaml");
        return read.IsValid ? read.Contract : null;
    }

    public async Task<PublishedVersion?> GetByIdAsync(long id, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<VersionRow>(new CommandDefinition(SelectVersion + " WHERE id = @id", new { id }, cancellationToken: ct));
        return row?.ToVersion();
    }

    public async Task<IReadOnlyList<PublishedVersion>> ListAsync(string productId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<VersionRow>(new CommandDefinition(
            SelectVersion + " WHERE product_id = @productId ORDER BY major, minor, patch, id", new { productId }, cancellationToken: ct));
        return [.. rows.Select(r => r.ToVersion())];
    }

    /// <summary>
    /// Takes the oldest accepted version, or one whose validator's lease ran out
    /// (it crashed), and leases it to this worker.
    /// </summary>
    public async Task<PublishedVersion?> ClaimNextAsync(DateTimeOffset now, TimeSpan lease, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<VersionRow>(new CommandDefinition(
            """
            UPDATE product_versions
            SET status = 'validating', attempts = attempts + 1, lease_until = @leaseUntil, updated_at = @now
            WHERE id = (
                SELECT id FROM product_versions
                WHERE status = 'accepted' OR (status = 'validating' AND lease_until < @now)
                ORDER BY id
                FOR UPDATE SKIP LOCKED
                LIMIT 1)
            RETURNING id, product_id, version, status, contract, stream_contract, content_hash, outputs::text AS outputs, idempotency_key, request_hash,
                      reasons::text AS reasons, changes::text AS changes, impact::text AS impact, provisioning::text AS provisioning, attempts, last_error, lease_until, created_at, updated_at
            """,
            new { now, leaseUntil = now + lease }, cancellationToken: ct));
        return row?.ToVersion();
    }

    /// <summary>The latest active version before this one, to check the new one against.</summary>
    public async Task<PublishedVersion?> PreviousActiveAsync(string productId, long beforeId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var row = await connection.QueryFirstOrDefaultAsync<VersionRow>(new CommandDefinition(
            SelectVersion + " WHERE product_id = @productId AND status = 'active' AND id <> @beforeId ORDER BY major DESC, minor DESC, patch DESC LIMIT 1",
            new { productId, beforeId }, cancellationToken: ct));
        return row?.ToVersion();
    }

    /// <summary>
    /// Records the verdict if this worker still holds the lease it claimed with
    /// (a worker that lost it to another must not overwrite that one's result).
    /// </summary>
    public async Task<bool> CompleteAsync(PublishedVersion claimed, Verdict verdict, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var updated = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE product_versions
            SET status = @status, reasons = @reasons::jsonb, changes = @changes::jsonb, impact = @impact::jsonb,
                provisioning = COALESCE(@provisioning::jsonb, provisioning), lease_until = NULL, updated_at = @now
            WHERE id = @Id AND status = 'validating' AND attempts = @Attempts
            """,
            new
            {
                claimed.Id, claimed.Attempts, status = EnumNames.Of(verdict.Status),
                reasons = StoreJson.Serialize(verdict.Reasons), changes = StoreJson.Serialize(verdict.Changes), impact = StoreJson.Serialize(verdict.Impact), now,
                provisioning = verdict.Provisioning.Count == 0 ? null : StoreJson.Serialize(verdict.Provisioning),
            },
            transaction, cancellationToken: ct));
        if (updated == 0)
        {
            return false;
        }

        if (verdict.Active)
        {
            foreach (var endpoint in verdict.Endpoints)
            {
                await EndpointStore.UpsertAsync(transaction, claimed.ProductId, endpoint.Output, endpoint.Kind, endpoint.Location, now, ct);
            }

            await ProductLineageStore.WriteAsync(transaction, claimed.Id, claimed.ProductId, verdict.Lineage ?? DesignLineage.Empty, now, ct);
            foreach (var lineageEvent in verdict.LineageEvents)
            {
                await LineageStore.AppendAsync(transaction, lineageEvent, now, ct);
            }
        }

        await Outbox.AppendAsync(
            transaction,
            verdict.Active ? Outbox.Events.VersionPublished : Outbox.Events.VersionRejected,
            claimed.ProductId,
            new { version = claimed.Version, reasons = verdict.Reasons, changes = verdict.Changes },
            now, ct);
        await transaction.CommitAsync(ct);
        return true;
    }

    /// <summary>Provisioning's results so far, on a version still being validated by this claim (so its status shows them).</summary>
    public async Task RecordProvisioningAsync(PublishedVersion claimed, IReadOnlyList<Storage.ProvisioningRecord> records, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE product_versions SET provisioning = @records::jsonb, updated_at = @now WHERE id = @Id AND status = 'validating' AND attempts = @Attempts",
            new { claimed.Id, claimed.Attempts, records = StoreJson.Serialize(records), now }, cancellationToken: ct));
    }

    /// <summary>
    /// Gives a claimed version back after its validation failed, with the reason, so it is taken again
    /// (counting another attempt) instead of waiting for its lease to run out.
    /// </summary>
    public async Task<bool> ReleaseAsync(PublishedVersion claimed, string error, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE product_versions SET status = 'accepted', last_error = @error, lease_until = NULL, updated_at = @now
            WHERE id = @Id AND status = 'validating' AND attempts = @Attempts
            """,
            new { claimed.Id, claimed.Attempts, error, now }, cancellationToken: ct)) > 0;
    }

    /// <summary>A row as Dapper reads it (jsonb as text).</summary>
    private sealed record VersionRow(
        long Id, string ProductId, string Version, string Status, string Contract, string? StreamContract, string ContentHash, string Outputs,
        string IdempotencyKey, string RequestHash, string Reasons, string Changes, string Impact, string? Provisioning, int Attempts, string? LastError, DateTime? LeaseUntil, DateTime CreatedAt, DateTime UpdatedAt)
    {
        public PublishedVersion ToVersion() => new(
            Id, ProductId, Version, StoreJson.Enum<VersionStatus>(Status), Contract, StreamContract, ContentHash,
            StoreJson.List<RegisteredOutput>(Outputs), IdempotencyKey, RequestHash,
            StoreJson.List<RejectionReason>(Reasons), StoreJson.List<ContractChange>(Changes),
            Attempts, LastError, Time.Utc(CreatedAt), Time.Utc(UpdatedAt), StoreJson.List<ImpactedProduct>(Impact),
            Provisioning is null ? [] : StoreJson.List<Storage.ProvisioningRecord>(Provisioning));
    }
}
