namespace MeshInABox.Storage.Postgres;

/// <summary>
/// The statements that recreate an archived table, written to the archive's <c>schema.sql</c> for people and
/// run by a restore. Types are checked against the template's list first: an archive's text never reaches
/// SQL unquoted.
/// </summary>
internal static class ArchiveDdl
{
    /// <summary>Why the table cannot be recreated (a type outside the list), or null.</summary>
    public static string? Problem(ArchivedTable table) =>
        table.Columns.FirstOrDefault(c => PostgresTypes.Normalize(c.Type) != c.Type) is { } column
            ? $"column {column.Name} of {table.Name} has type '{column.Type}', which a restore does not recreate"
            : null;

    public static IEnumerable<string> Statements(string schema, ArchivedTable table)
    {
        var qualified = Sql.Qualified(schema, table.Name);
        var definitions = table.Columns.OrderBy(c => c.Position)
            .Select(c => $"{Sql.Ident(c.Name)} {c.Type}{(c.NotNull ? " NOT NULL" : "")}").ToList();
        if (table.PrimaryKey.Count > 0)
        {
            definitions.Add($"PRIMARY KEY ({string.Join(", ", table.PrimaryKey.Select(Sql.Ident))})");
        }

        yield return $"CREATE TABLE {qualified} ({string.Join(", ", definitions)})";
        if (table.Comment is not null)
        {
            yield return $"COMMENT ON TABLE {qualified} IS {Sql.Literal(table.Comment)}";
        }

        foreach (var column in table.Columns.Where(c => c.Comment is not null))
        {
            yield return $"COMMENT ON COLUMN {qualified}.{Sql.Ident(column.Name)} IS {Sql.Literal(column.Comment)}";
        }
    }

    public static string ColumnList(ArchivedTable table) =>
        string.Join(", ", table.Columns.OrderBy(c => c.Position).Select(c => Sql.Ident(c.Name)));
}
