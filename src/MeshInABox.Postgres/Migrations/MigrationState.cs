namespace MeshInABox.Postgres.Migrations;

/// <summary>What the migration runner has reached, read by the health check.</summary>
public sealed class MigrationState
{
    private readonly TaskCompletionSource _applied = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile Snapshot _current = new(MigrationStatus.Pending, "Starting: the schema migrations have not finished yet.", null);

    /// <summary>Completes once the schema is current, for work that must not touch it before.</summary>
    public Task WhenAppliedAsync(CancellationToken ct) => _applied.Task.WaitAsync(ct);

    public MigrationStatus Status => _current.Status;

    public string Description => _current.Description;

    public int? SchemaVersion => _current.SchemaVersion;

    internal void Waiting(string reason) => _current = new(MigrationStatus.Pending, reason, null);

    internal void Applied(int version)
    {
        _current = new(MigrationStatus.Applied, $"Schema at version {version}.", version);
        _applied.TrySetResult();
    }

    internal void Failed(string reason) => _current = new(MigrationStatus.Failed, reason, null);

    private sealed record Snapshot(MigrationStatus Status, string Description, int? SchemaVersion);
}

public enum MigrationStatus
{
    Pending,
    Applied,
    Failed,
}
