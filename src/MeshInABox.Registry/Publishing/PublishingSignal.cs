namespace MeshInABox.Registry.Publishing;

/// <summary>Wakes the publishing worker as soon as a version is accepted, instead of at its next poll.</summary>
public sealed class PublishingSignal
{
    private readonly SemaphoreSlim _accepted = new(0, 1);

    public void Notify()
    {
        if (_accepted.CurrentCount == 0)
        {
            try
            {
                _accepted.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled.
            }
        }
    }

    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(timeout);
        try
        {
            await _accepted.WaitAsync(timer.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // Poll interval elapsed.
        }
    }
}
