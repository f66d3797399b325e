namespace MeshInABox.Postgres.Migrations;

/// <summary>The schema a service's tables and its migration history live in.</summary>
public sealed record SchemaMigratorOptions(string Schema);
