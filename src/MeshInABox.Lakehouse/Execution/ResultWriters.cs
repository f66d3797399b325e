using System.Globalization;
using System.Text;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Ipc;

namespace MeshInABox.Lakehouse.Execution;

/// <summary>Writes a result as it is produced, on the query's worker thread (writes block while the client does not read).</summary>
internal abstract class ResultWriter : IDisposable
{
    /// <summary>Rows written so far.</summary>
    public long Rows { get; protected set; }

    /// <summary>Ends a result cut by an error where the format can say so; false when it cannot (the response is then aborted).</summary>
    public virtual bool TryEndWithError(string message) => false;

    /// <summary>Ends a whole result.</summary>
    public abstract void End();

    /// <summary>Frees what the writer holds, flushing nothing (after an error the pipe may refuse more).</summary>
    public virtual void Dispose()
    {
    }
}

/// <summary>NDJSON (one JSON object per row) or CSV (a header line, then RFC 4180 rows).</summary>
internal sealed class TextResultWriter(Stream body, bool csv) : ResultWriter
{
    private readonly StreamWriter _writer = new(body, new UTF8Encoding(false), 1 << 16);
    private IReadOnlyList<(string Name, Type Type)> _columns = [];

    public void Begin(IReadOnlyList<(string Name, Type Type)> columns)
    {
        _columns = columns;
        if (csv)
        {
            _writer.WriteLine(string.Join(',', columns.Select(c => CsvField(c.Name))));
        }
    }

    public void Write(object?[] row)
    {
        _writer.WriteLine(csv ? CsvLine(row) : JsonLine(_columns, row));
        Rows++;
    }

    public override bool TryEndWithError(string message)
    {
        if (csv)
        {
            return false;
        }

        _writer.WriteLine(JsonSerializer.Serialize(new { error = message }));
        _writer.Flush();
        return true;
    }

    public override void End() => _writer.Flush();

    private static string JsonLine(IReadOnlyList<(string Name, Type Type)> columns, object?[] row)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            for (var i = 0; i < row.Length; i++)
            {
                json.WritePropertyName(columns[i].Name);
                JsonSerializer.Serialize(json, Plain(row[i]));
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    // DuckDB's HUGEINT arrives as BigInteger; JSON and CSV get its decimal digits.
    private static object? Plain(object? value) => value is System.Numerics.BigInteger big ? decimal.Parse(big.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : value;

    private static string CsvLine(object?[] row) =>
        string.Join(',', row.Select(v => v switch
        {
            null => "",
            IFormattable formattable => CsvField(formattable.ToString(null, CultureInfo.InvariantCulture)),
            _ => CsvField(v.ToString() ?? ""),
        }));

    private static string CsvField(string text) =>
        text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
}

/// <summary>An Arrow IPC stream: the schema, then DuckDB's record batches as they come.</summary>
internal sealed class ArrowResultWriter(Stream body) : ResultWriter
{
    // Arrow writes each buffer of a batch on its own: gathered here, they reach the pipe in large writes.
    private readonly BufferedStream _buffer = new(body, 1 << 16);
    private ArrowStreamWriter? _writer;

    public void Begin(Schema schema)
    {
        _writer = new ArrowStreamWriter(_buffer, schema, leaveOpen: true);
        _writer.WriteStart();
    }

    public void Write(RecordBatch batch)
    {
        _writer!.WriteRecordBatch(batch);
        Rows += batch.Length;
    }

    public override void End()
    {
        _writer!.WriteEnd();
        _buffer.Flush();
    }

    public override void Dispose() => _writer?.Dispose();
}
