using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MeshInABox.Iceberg.Metadata;
using MeshInABox.Iceberg.Scanning;
using MeshInABox.Iceberg.Writing;
using MeshInABox.Testing;

namespace MeshInABox.Iceberg.Tests;

/// <summary>
/// Tables this project writes, read by an independent Iceberg reader (the npm
/// package icebird): the same rows and the same schema as the project reads.
/// </summary>
public sealed class IcebirdInteropTests : IDisposable
{
    private static readonly IcebergSchema Schema = new(0,
    [
        new NestedField(1, "impression_id", true, "long"),
        new NestedField(2, "campaign_id", false, "string"),
        new NestedField(3, "shown_at", false, "timestamptz"),
        new NestedField(4, "clicked", false, "boolean"),
        new NestedField(5, "cost_eur", false, "double"),
        new NestedField(6, "shown_on", false, "date"),
    ]);

    private readonly string _root = TemporaryDirectory.Create("mesh-icebird-");
    private readonly DuckDb _duck = new();

    public void Dispose()
    {
        _duck.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task TableWrittenHere_IcebirdReadsTheSameRowsAndSchema()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = Path.Combine(_root, "advertising", "ad-impressions", "impressions");
        var spec = new PartitionSpec(0, [new PartitionField("shown_at_day", Transforms.Day, 3, 1000)]);
        TableWriter.Create(table, Schema, spec);
        Append(table, spec, 0, 40);
        Append(table, spec, 40, 25);

        var icebird = await ReadWithIcebirdAsync(table, ct);
        var ours = _duck.Rows($"SELECT impression_id, campaign_id, clicked, cost_eur, epoch_ms(shown_at) FROM ({DuckDbScan.Sql(ScanPlanner.Plan(IcebergTable.Open(table), IcebergTable.Open(table).Metadata.CurrentSnapshot))}) ORDER BY impression_id");

        var rows = icebird.GetProperty("rows").EnumerateArray().OrderBy(r => r.GetProperty("impression_id").GetInt64()).ToList();
        Assert.Equal(65, rows.Count);
        Assert.Equal(ours.Count, rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(Convert.ToInt64(ours[i][0], CultureInfo.InvariantCulture), rows[i].GetProperty("impression_id").GetInt64());
            Assert.Equal(ours[i][1], rows[i].GetProperty("campaign_id").GetString());
            Assert.Equal(ours[i][2], rows[i].GetProperty("clicked").GetBoolean());
            Assert.Equal(Convert.ToDouble(ours[i][3], CultureInfo.InvariantCulture), rows[i].GetProperty("cost_eur").GetDouble(), 9);
            Assert.Equal(Convert.ToInt64(ours[i][4], CultureInfo.InvariantCulture), DateTimeOffset.Parse(rows[i].GetProperty("shown_at").GetString()!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds());
        }

        var fields = icebird.GetProperty("schema").GetProperty("fields").EnumerateArray()
            .Select(f => (f.GetProperty("id").GetInt32(), f.GetProperty("name").GetString(), f.GetProperty("type").GetString())).ToList();
        Assert.Equal(Schema.Fields.Select(f => (f.Id, (string?)f.Name, (string?)f.Type)), fields);
    }

    [Fact]
    public async Task EvolvedOverwrittenTableWithCrashLeftovers_IcebirdReadsTheCommittedState()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = Path.Combine(_root, "content", "titles", "titles");
        var spec = new PartitionSpec(0, []);
        TableWriter.Create(table, Schema, spec);
        Append(table, spec, 0, 10);
        Append(table, spec, 10, 10);
        var evolved = TableWriter.AddColumns(table, [("channel", "string")]);
        var files = ParquetDataWriter.Write(_duck.Connection, $"SELECT *, 'tv' AS channel FROM ({Rows(100, 5)})", evolved, spec,
            Path.Combine(table, "data", Guid.NewGuid().ToString("N")));
        TableWriter.Commit(table, TableWriter.Mode.Append, files);
        var replacement = ParquetDataWriter.Write(_duck.Connection, $"SELECT *, NULL::VARCHAR AS channel FROM ({Rows(200, 3)}) UNION ALL SELECT *, 'web' FROM ({Rows(300, 2)})", evolved, spec,
            Path.Combine(table, "data", Guid.NewGuid().ToString("N")));
        TableWriter.Commit(table, TableWriter.Mode.Overwrite, replacement);

        // A writer that died after writing data files and a temporary metadata file, before its commit.
        ParquetDataWriter.Write(_duck.Connection, $"SELECT *, 'x' AS channel FROM ({Rows(900, 50)})", evolved, spec, Path.Combine(table, "data", "died"));
        await File.WriteAllTextAsync(IcebergTable.MetadataFile(table, IcebergTable.Open(table).Version + 1) + ".dead.tmp", "{", ct);

        var icebird = await ReadWithIcebirdAsync(table, ct);
        var rows = icebird.GetProperty("rows").EnumerateArray().ToList();

        Assert.Equal([200L, 201, 202, 300, 301], rows.Select(r => r.GetProperty("impression_id").GetInt64()).Order());
        Assert.Equal(3, rows.Count(r => !r.TryGetProperty("channel", out var c) || c.ValueKind == JsonValueKind.Null));
        Assert.Equal(2, rows.Count(r => r.TryGetProperty("channel", out var c) && c.GetString() == "web"));
        Assert.Equal("channel", icebird.GetProperty("schema").GetProperty("fields").EnumerateArray().Last().GetProperty("name").GetString());
    }

    private void Append(string table, PartitionSpec spec, int from, int count)
    {
        var files = ParquetDataWriter.Write(_duck.Connection, Rows(from, count), Schema, spec, Path.Combine(table, "data", Guid.NewGuid().ToString("N")));
        TableWriter.Commit(table, TableWriter.Mode.Append, files);
    }

    private static string Rows(int from, int count) => $"""
            SELECT CAST(i AS BIGINT) AS impression_id, 'cmp-' || (i % 3) AS campaign_id,
                   TIMESTAMPTZ '2026-03-01 00:00:00+00' + to_minutes(CAST(i * 90 AS BIGINT)) AS shown_at,
                   i % 7 = 0 AS clicked, i * 0.0125 AS cost_eur,
                   CAST(TIMESTAMPTZ '2026-03-01 00:00:00+00' + to_minutes(CAST(i * 90 AS BIGINT)) AS DATE) AS shown_on
            FROM range({from}, {from + count}) t(i)
            """;

    private static async Task<JsonElement> ReadWithIcebirdAsync(string table, CancellationToken ct)
    {
        var interop = Path.Combine(RepositoryLayout.Root, "tests", "interop");
        Assert.True(Directory.Exists(Path.Combine(interop, "node_modules", "icebird")),
            "icebird is not installed: run eng/install-prerequisites.sh (npm ci in tests/interop).");
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = interop };
        start.ArgumentList.Add(Path.Combine(interop, "icebird-read.mjs"));
        start.ArgumentList.Add(table);
        using var node = Process.Start(start)!;
        var output = node.StandardOutput.ReadToEndAsync(ct);
        var error = node.StandardError.ReadToEndAsync(ct);
        await node.WaitForExitAsync(ct);
        Assert.True(node.ExitCode == 0, $"icebird failed: {await error}");
        return JsonDocument.Parse(await output).RootElement.Clone();
    }
}
