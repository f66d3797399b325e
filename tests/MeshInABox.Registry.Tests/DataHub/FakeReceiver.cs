using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace MeshInABox.Registry.Tests.DataHub;

/// <summary>One request as the receiver saw it.</summary>
public sealed record ReceivedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>
/// An HTTP listener on 127.0.0.1 standing in for GMS or an OpenLineage endpoint: records every request and answers
/// with what <see cref="Answer"/> decides (200 by default).
/// </summary>
public sealed class FakeReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private FakeReceiver(int port)
    {
        Port = port;
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    /// <summary>Every request, answered or not, in arrival order.</summary>
    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    /// <summary>Requests answered 2xx, in order.</summary>
    public ConcurrentQueue<ReceivedRequest> Accepted { get; } = new();

    /// <summary>Status (and Retry-After seconds) for a request; null Retry-After sends none.</summary>
    public Func<ReceivedRequest, (int Status, int? RetryAfter)> Answer { get; set; } = _ => (200, null);

    public static FakeReceiver Start(int? port = null) => new(port ?? MeshInABox.Postgres.LocalCluster.Ports.FindFree());

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var headers = context.Request.Headers.AllKeys.OfType<string>()
                .ToDictionary(k => k, k => context.Request.Headers[k] ?? "", StringComparer.OrdinalIgnoreCase);
            var request = new ReceivedRequest(context.Request.HttpMethod, context.Request.Url!.PathAndQuery, headers, body);
            Requests.Enqueue(request);
            var (status, retryAfter) = Answer(request);
            if (status is >= 200 and < 300)
            {
                Accepted.Enqueue(request);
            }

            context.Response.StatusCode = status;
            if (retryAfter is { } seconds)
            {
                context.Response.Headers["Retry-After"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            var answer = Encoding.UTF8.GetBytes(status < 300 ? "{}" : "{\"message\":\"refused by the test\"}");
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(answer);
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        _listener.Close();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}
