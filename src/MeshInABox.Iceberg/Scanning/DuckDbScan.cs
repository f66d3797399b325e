using System.Globalization;
using System.Text;
using MeshInABox.Iceberg.Metadata;

namespace MeshInABox.Iceberg.Scanning;

/// <summary>
/// The DuckDB SQL that reads a scan plan: <c>read_parquet</c> maps columns by
/// Iceberg field id (a column a file lacks reads as NULL), position deletes
/// remove rows by file and row number, equality deletes by null-safe equality.
/// </summary>
public static class DuckDbScan
{
    public static string Sql(ScanPlan plan)
    {
        var schema = plan.Schema;
        var columns = string.Join(", ", schema.Fields.Select(f => $"{Column(f.Id)} AS {Quote(f.Name)}"));
        var parts = new List<string>();

        // Files no delete applies to are read together, so DuckDB can parallelise and prune across them.
        var plain = plan.Tasks.Where(t => t.PositionDeletes.Count == 0 && t.EqualityDeletes.Count == 0).ToList();
        if (plain.Count > 0)
        {
            parts.Add($"SELECT {columns} FROM {ReadParquet(plain.Select(t => t.LocalPath), schema.Fields, rowNumbers: false)}");
        }

        foreach (var task in plan.Tasks.Where(t => t.PositionDeletes.Count > 0 || t.EqualityDeletes.Count > 0))
        {
            var sql = new StringBuilder($"SELECT {columns} FROM {ReadParquet([task.LocalPath], schema.Fields, rowNumbers: true)} AS d");
            var conditions = new List<string>();
            if (task.PositionDeletes.Count > 0)
            {
                conditions.Add(
                    $"NOT EXISTS (SELECT 1 FROM read_parquet([{string.Join(", ", task.PositionDeletes.Select(p => Literal(p.LocalPath)))}]) AS p " +
                    $"WHERE p.file_path = {Literal(task.DataFile.FilePath)} AND p.pos = d.file_row_number)");
            }

            foreach (var (file, path) in task.EqualityDeletes)
            {
                var fields = file.EqualityIds.Select(id => schema.Fields.FirstOrDefault(f => f.Id == id)
                    ?? throw new IcebergFormatException($"Equality delete {file.FilePath} names field {id}, which the schema lacks.")).ToList();
                var match = string.Join(" AND ", fields.Select(f => $"e.{Column(f.Id)} IS NOT DISTINCT FROM d.{Column(f.Id)}"));
                conditions.Add($"NOT EXISTS (SELECT 1 FROM {ReadParquet([path], fields, rowNumbers: false)} AS e WHERE {match})");
            }

            sql.Append(" WHERE ").Append(string.Join(" AND ", conditions));
            parts.Add(sql.ToString());
        }

        if (parts.Count == 0)
        {
            // An empty table still has its columns and types.
            return $"SELECT {string.Join(", ", schema.Fields.Select(f => $"CAST(NULL AS {f.DuckDbType}) AS {Quote(f.Name)}"))} WHERE false";
        }

        return string.Join("\nUNION ALL\n", parts);
    }

    private static string ReadParquet(IEnumerable<string> files, IEnumerable<NestedField> fields, bool rowNumbers)
    {
        var map = string.Join(", ", fields.Select(f =>
            $"{f.Id.ToString(CultureInfo.InvariantCulture)}: {{name: {Literal(Column(f.Id))}, type: {Literal(f.DuckDbType)}, default_value: NULL}}"));
        return $"read_parquet([{string.Join(", ", files.Select(Literal))}], schema := map {{{map}}}{(rowNumbers ? ", file_row_number := true" : "")})";
    }

    private static string Column(int fieldId) => "c" + fieldId.ToString(CultureInfo.InvariantCulture);

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}
