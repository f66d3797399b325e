namespace MeshInABox.Postgres.Migrations;

/// <summary>A migration problem that needs someone to act; retrying will not help.</summary>
public sealed class MigrationException(string message, Exception? inner = null) : Exception(message, inner);
