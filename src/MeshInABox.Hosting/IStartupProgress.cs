namespace MeshInABox.Hosting;

/// <summary>How the embedded host reports each start-up step; the CLI renders it.</summary>
public interface IStartupProgress
{
    /// <summary>Runs one step, shown while it runs and with its outcome when done.</summary>
    Task<T> StepAsync<T>(string title, Func<CancellationToken, Task<(T Result, string Outcome)>> step, CancellationToken ct);
}
