using System.Threading.Channels;
using DuckDB.NET.Data;
using MeshInABox.Lakehouse.Engine.Query;

namespace MeshInABox.Lakehouse.Infrastructure;

/// <summary>
/// Fresh in-memory DuckDB databases, opened ahead of time: opening one costs
/// ~30 ms here, and every query needs its own because its sandbox settings are
/// locked for the whole database. Each database serves one query and is disposed.
/// When opening fails, the queries waiting for a database are told why (and
/// answered 503); the next query starts opening again.
/// </summary>
public sealed class DuckDbPool : IDisposable
{
    private const int Ready = 2;
    private readonly Func<DuckDBConnection> _open;
    private readonly Channel<DuckDBConnection> _ready = Channel.CreateBounded<DuckDBConnection>(Ready);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _restart = new();
    private Task _filler;

    public DuckDbPool()
        : this(QueryEngine.NewDatabase)
    {
    }

    /// <param name="open">Opens one fresh database.</param>
    public DuckDbPool(Func<DuckDBConnection> open)
    {
        _open = open;
        _filler = Fill();
    }

    /// <exception cref="QueryRejectedException">No database could be opened (unavailable: worth a retry).</exception>
    public async ValueTask<DuckDBConnection> TakeAsync(CancellationToken ct)
    {
        while (true)
        {
            if (_ready.Reader.TryRead(out var duck))
            {
                return duck;
            }

            var filler = Volatile.Read(ref _filler);
            if (!filler.IsCompleted)
            {
                // Woken by a database ready, or by the filler failing to open one.
                var ready = _ready.Reader.WaitToReadAsync(ct).AsTask();
                if (await Task.WhenAny(ready, filler) == ready)
                {
                    if (!await ready)
                    {
                        throw new ObjectDisposedException(nameof(DuckDbPool));
                    }

                    continue;
                }
            }

            if (!filler.IsFaulted)
            {
                throw new ObjectDisposedException(nameof(DuckDbPool));
            }

            lock (_restart)
            {
                if (_filler == filler && !_stop.IsCancellationRequested)
                {
                    _filler = Fill();
                }
            }

            var error = filler.Exception!.GetBaseException();
            throw new QueryRejectedException(
                $"The lakehouse service cannot open a query database right now ({error.Message.Split('\n')[0]}); retry in a few seconds.", unavailable: true);
        }
    }

    /// <summary>Keeps <see cref="Ready"/> databases open; ends faulted when one fails to open, for the waiting queries to see.</summary>
    private Task Fill() => Task.Run(async () =>
    {
        while (!_stop.IsCancellationRequested)
        {
            var duck = _open();
            try
            {
                await _ready.Writer.WriteAsync(duck, _stop.Token);
            }
            catch (Exception error) when (error is OperationCanceledException or ChannelClosedException or ObjectDisposedException)
            {
                duck.Dispose();
                return;
            }
        }
    });

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
