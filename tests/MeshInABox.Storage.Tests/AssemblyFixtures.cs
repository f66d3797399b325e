using MeshInABox.Testing;

[assembly: AssemblyFixture(typeof(PostgresServerFixture))]
