using System.Net;
using System.Net.Http.Headers;

namespace MeshInABox.Registry.DataHub;

/// <summary>What a receiver made of one delivery.</summary>
public abstract record Delivery
{
    /// <summary>Accepted: the position may move past it.</summary>
    public sealed record Accepted : Delivery;

    /// <summary>Refused for good (a 4xx other than 429): logged and skipped, so one bad product cannot stop the feed.</summary>
    public sealed record Refused(string Reason) : Delivery;

    /// <summary>Worth trying again (5xx, 429, timeout, connection refused); <see cref="RetryAfter"/> when the receiver said when.</summary>
    public sealed record Transient(string Reason, TimeSpan? RetryAfter) : Delivery;

    public static readonly Delivery Ok = new Accepted();

    /// <summary>Sends one request and classifies the answer; the request is built afresh for every attempt.</summary>
    public static async Task<Delivery> SendAsync(HttpClient client, Func<HttpRequestMessage> request, TimeProvider time, CancellationToken ct)
    {
        try
        {
            using var message = request();
            using var response = await client.SendAsync(message, ct);
            if (response.IsSuccessStatusCode)
            {
                return Ok;
            }

            var body = await response.Content.ReadAsStringAsync(ct);
            var reason = $"{(int)response.StatusCode} {response.ReasonPhrase}: {Shorten(body)}";
            if (response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500)
            {
                return new Transient(reason, RetryAfterOf(response.Headers.RetryAfter, time));
            }

            return new Refused(reason);
        }
        catch (HttpRequestException error)
        {
            return new Transient(error.Message, null);
        }
        catch (TaskCanceledException error) when (!ct.IsCancellationRequested)
        {
            return new Transient("timed out: " + error.Message, null);
        }
    }

    private static TimeSpan? RetryAfterOf(RetryConditionHeaderValue? header, TimeProvider time) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "...";
}
