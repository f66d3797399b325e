namespace MeshInABox.Testing;

/// <summary>
/// Reads again until a result is what the test waits for: readers of the events and lineage feeds see a row only
/// once every older transaction on the server (any database: xmin is server-wide) has ended, and the test
/// classes run side by side on one server.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(30);

    /// <returns>The first result <paramref name="done"/> accepts, or the last one read when the budget ran out.</returns>
    public static async Task<T> ReadAsync<T>(Func<Task<T>> read, Func<T, bool> done, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + Budget;
        var result = await read();
        while (!done(result) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, ct);
            result = await read();
        }

        return result;
    }
}
