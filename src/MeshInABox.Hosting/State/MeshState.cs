using System.Text.Json;
using System.Text.Json.Serialization;
using MeshInABox.Postgres.LocalCluster;

namespace MeshInABox.Hosting.State;

/// <summary>
/// <c>&lt;data-dir&gt;/state.json</c>: how scripts, tests and <c>mesh status</c>
/// find a running mesh. Holds no secrets.
/// </summary>
public sealed record MeshState(
    int Pid,
    string Profile,
    string DataDirectory,
    bool Ephemeral,
    DateTimeOffset StartedAt,
    IReadOnlyDictionary<string, Uri> Services,
    PostgresEndpoint Postgres,
    IReadOnlyList<string>? RepositoryRoots = null)
{
    public const string FileName = "state.json";

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string PathIn(string dataDirectory) => Path.Combine(dataDirectory, FileName);

    /// <summary>The mesh's local token signing key; persistent with the data directory.</summary>
    public static string SigningKeyPath(string dataDirectory) => Path.Combine(dataDirectory, "keys", "registry-signing.key");

    public async Task WriteAsync(CancellationToken ct)
    {
        // Write then rename, so a reader never sees half a file.
        var path = PathIn(DataDirectory);
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, ToJson(), ct);
        File.Move(temporary, path, overwrite: true);
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads the state, or null when no mesh has written one there.</summary>
    public static async Task<MeshState?> ReadAsync(string dataDirectory, CancellationToken ct)
    {
        var path = PathIn(dataDirectory);
        if (!File.Exists(path))
        {
            return null;
        }

        await using var stream = File.OpenRead(path);
        try
        {
            return await JsonSerializer.DeserializeAsync<MeshState>(stream, JsonOptions, ct);
        }
        catch (JsonException error)
        {
            throw new MeshHostException($"{path} is not a mesh state file: {error.Message}");
        }
    }

    /// <summary>Whether the mesh that wrote this still runs (its pid alive, and not reused since by another program).</summary>
    [JsonIgnore]
    public bool IsRunning => ProcessRunner.IsAliveSince(Pid, StartedAt);
}

/// <summary>Where the mesh's database is; <see cref="External"/> when given by ConnectionStrings__meshdb.</summary>
public sealed record PostgresEndpoint(string Host, int Port, string Database, string Username, bool External);
