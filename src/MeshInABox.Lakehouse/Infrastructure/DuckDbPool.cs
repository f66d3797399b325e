using System.Threading.Channels;
using DuckDB.NET.Data;
using MeshInABox.Lakehouse.Engine.Query;

namespace MeshInABox.Lakehouse.Infrastructure;

/// <summary>
/// Fresh in-memory DuckDB databases, opened ahead of time: opening one costs
/// ~30 ms here, and every query needs its own because its sandbox settings are
/// locked for the whole database. Each database serves one query and is disposed.
/// </summary>
public sealed class DuckDbPool : IDisposable
{
    private const int Ready = 2;
    private readonly Channel<DuckDBConnection> _ready = Channel.CreateBounded<DuckDBConnection>(Ready);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _filler;

    public DuckDbPool()
    {
        _filler = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                var duck = QueryEngine.NewDatabase();
                try
                {
                    await _ready.Writer.WriteAsync(duck, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    duck.Dispose();
                }
            }
        });
    }

    public ValueTask<DuckDBConnection> TakeAsync(CancellationToken ct) => _ready.Reader.ReadAsync(ct);

    public void Dispose()
    {
        _stop.Cancel();
        _ready.Writer.TryComplete();
        while (_ready.Reader.TryRead(out var duck))
        {
            duck.Dispose();
        }

        _stop.Dispose();
    }
}
