using System.Diagnostics;
using MeshInABox.Lineage;
using MeshInABox.Lineage.Catalog;

namespace MeshInABox.Bench;

/// <summary>
/// Statements analysed per second over the lineage corpus (tests/MeshInABox.Lineage.Tests/corpus): each statement
/// parsed, bound and walked by one analyzer, as <c>mesh lineage</c> does once per call; the first round warms up.
/// </summary>
public static class LineageThroughput
{
    public static void Run(string corpusDirectory, int rounds)
    {
        var catalog = CatalogFile.Parse(File.ReadAllText(Path.Combine(corpusDirectory, "catalog.json")));
        var statements = Directory.EnumerateFiles(corpusDirectory, "*.sql").Order(StringComparer.Ordinal).SelectMany(Statements).ToList();
        var setup = Stopwatch.StartNew();
        using var analyzer = new LineageAnalyzer(catalog);
        Console.WriteLine($"catalog of {catalog.Tables.Count} tables built in {setup.Elapsed.TotalMilliseconds:F0} ms");
        foreach (var sql in statements)
        {
            analyzer.Analyze(sql);
        }

        var failed = 0;
        var clock = Stopwatch.StartNew();
        for (var round = 0; round < rounds; round++)
        {
            failed += statements.Count(sql => analyzer.Analyze(sql).Error is not null);
        }

        var analysed = statements.Count * rounds;
        Console.WriteLine($"{analysed} statements ({statements.Count} x {rounds}) in {clock.Elapsed.TotalSeconds:F2} s: " +
            $"{analysed / clock.Elapsed.TotalSeconds:F0} statements/s, {clock.Elapsed.TotalMilliseconds / analysed:F2} ms each, {failed} with an error");
    }

    /// <summary>A corpus file's statements: the lines after each <c>-- case:</c> that are not comments.</summary>
    private static IEnumerable<string> Statements(string file)
    {
        var lines = new List<string>();
        foreach (var line in File.ReadLines(file).Append("-- case: end"))
        {
            if (line.StartsWith("-- case: ", StringComparison.Ordinal))
            {
                if (lines.Count > 0)
                {
                    yield return string.Join('\n', lines);
                }

                lines.Clear();
            }
            else if (!line.StartsWith("-- ", StringComparison.Ordinal) && line.Trim().Length > 0)
            {
                lines.Add(line);
            }
        }
    }
}
