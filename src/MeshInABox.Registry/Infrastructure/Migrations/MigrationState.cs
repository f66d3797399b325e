namespace MeshInABox.Registry.Infrastructure.Migrations;

/// <summary>What the migration runner has reached, read by the health check.</summary>
public sealed class MigrationState
{
    private volatile Snapshot _current = new(MigrationStatus.Pending, "Migrations have not run yet.", null);

    public MigrationStatus Status => _current.Status;

    public string Description => _current.Description;

    public int? SchemaVersion => _current.SchemaVersion;

    internal void Waiting(string reason) => _current = new(MigrationStatus.Pending, reason, null);

    internal void Applied(int version) => _current = new(MigrationStatus.Applied, $"Schema at version {version}.", version);

    internal void Failed(string reason) => _current = new(MigrationStatus.Failed, reason, null);

    private sealed record Snapshot(MigrationStatus Status, string Description, int? SchemaVersion);
}

public enum MigrationStatus
{
    Pending,
    Applied,
    Failed,
}
