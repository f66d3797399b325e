using System.Text.Json.Nodes;

namespace MeshInABox.Lineage.Tests;

/// <summary>
/// One statement of the lineage corpus and what it must give. A corpus file holds cases one after another:
/// <c>-- case: name</c>, <c>-- expect: {json}</c> (the keys compared: target, sources, columns, and any other key of
/// the output), then the statement's lines.
/// </summary>
public sealed record CorpusCase(string File, string Name, string Sql, JsonObject? Expected)
{
    private const string CasePrefix = "-- case: ";
    private const string ExpectPrefix = "-- expect: ";

    public static string Directory => Path.Combine(AppContext.BaseDirectory, "corpus");

    public static IReadOnlyList<CorpusCase> All() =>
        [.. System.IO.Directory.EnumerateFiles(Directory, "*.sql").Order(StringComparer.Ordinal).SelectMany(Read)];

    public static IEnumerable<CorpusCase> Read(string file)
    {
        string? name = null;
        JsonObject? expected = null;
        var sql = new List<string>();
        foreach (var line in System.IO.File.ReadLines(file).Append(CasePrefix))
        {
            if (line.StartsWith(CasePrefix, StringComparison.Ordinal))
            {
                if (name is not null)
                {
                    yield return new CorpusCase(Path.GetFileName(file), name, string.Join('\n', sql).Trim(), expected);
                }

                (name, expected) = (line[CasePrefix.Length..].Trim(), null);
                sql.Clear();
            }
            else if (line.StartsWith(ExpectPrefix, StringComparison.Ordinal))
            {
                expected = JsonNode.Parse(line[ExpectPrefix.Length..])!.AsObject();
            }
            else
            {
                sql.Add(line);
            }
        }
    }

    public override string ToString() => $"{File}:{Name}";
}
