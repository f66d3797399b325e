using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshInABox.Storage.Postgres;

/// <summary>
/// What a retired product's archive holds (<c>manifest.json</c>): its tables' definitions, and for each a CSV file
/// of its rows with the row count and the file's SHA-256, so a restore can tell the archive is whole.
/// </summary>
public sealed record ArchiveManifest(
    int Format, string ProductId, string Schema, DateTimeOffset ArchivedAt, string DdlFile, string DdlSha256, IReadOnlyList<ArchivedTable> Tables)
{
    public const string FileName = "manifest.json";
    public const int CurrentFormat = 1;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static async Task<ArchiveManifest> ReadAsync(string directory, CancellationToken ct)
    {
        await using var stream = File.OpenRead(Path.Combine(directory, FileName));
        return await JsonSerializer.DeserializeAsync<ArchiveManifest>(stream, Json, ct)
            ?? throw new InvalidDataException($"{FileName} in {directory} is empty.");
    }

    public async Task WriteAsync(string directory, CancellationToken ct)
    {
        await using var stream = File.Create(Path.Combine(directory, FileName));
        await JsonSerializer.SerializeAsync(stream, this, Json, ct);
    }

    public static async Task<string> Sha256Async(string path, CancellationToken ct)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
    }
}

/// <summary>One archived table: its definition, and its rows in <paramref name="File"/> (CSV with a header, PostgreSQL's COPY format).</summary>
public sealed record ArchivedTable(
    string Name, string? Comment, IReadOnlyList<PostgresColumnMetadata> Columns, IReadOnlyList<string> PrimaryKey, string File, long Rows, string Sha256);
