namespace MeshInABox.Postgres.Migrations;

/// <summary>Where the migrator reads its scripts from.</summary>
public interface IMigrationSource
{
    IReadOnlyList<Migration> Load();
}
