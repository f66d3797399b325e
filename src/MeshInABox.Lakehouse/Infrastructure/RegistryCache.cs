using System.Collections.Concurrent;
using System.Text.Json;

namespace MeshInABox.Lakehouse.Infrastructure;

/// <summary>
/// The registry's last answers about products and their endpoints: fresh for <see cref="FreshFor"/> (a change in
/// the registry reaches queries at most that late), and kept for <see cref="StaleFor"/> to use only while the
/// registry fails (stale-if-error), so queries over open products go on through a registry restart.
/// </summary>
public sealed class RegistryCache(TimeProvider time)
{
    public static readonly TimeSpan FreshFor = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan StaleFor = TimeSpan.FromMinutes(10);
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, (JsonElement Value, DateTimeOffset At)> _answers = new(StringComparer.Ordinal);

    public bool TryFresh(string path, out JsonElement value) => TryGet(path, FreshFor, out value);

    public bool TryStale(string path, out JsonElement value) => TryGet(path, StaleFor, out value);

    public void Remember(string path, JsonElement value)
    {
        if (_answers.Count >= MaxEntries)
        {
            _answers.Clear();
        }

        _answers[path] = (value, time.GetUtcNow());
    }

    /// <summary>A product the registry says does not exist is forgotten at once (a new one is queryable at once).</summary>
    public void Forget(string path) => _answers.TryRemove(path, out _);

    private bool TryGet(string path, TimeSpan age, out JsonElement value)
    {
        if (_answers.TryGetValue(path, out var known) && time.GetUtcNow() - known.At <= age)
        {
            value = known.Value;
            return true;
        }

        value = default;
        return false;
    }
}
