using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MeshInABox.ServiceDefaults.Http;

/// <summary>
/// How many requests of one kind one caller may have in flight at once, so that no caller (a token's
/// <c>sub</c>, or an anonymous client's address) can take every worker and stall the others. A request
/// over the limit is not queued: it gets a 429 problem with <c>Retry-After</c> at once.
/// </summary>
public static class CallerConcurrency
{
    public const int RetryAfterSeconds = 1;

    /// <param name="permitsPerCaller">Read per request from the service's options, so configuration applies.</param>
    /// <param name="rejected">Told of each refused request and the problem's detail (usage records); whatever it throws is logged, the 429 goes out.</param>
    public static IServiceCollection AddCallerConcurrencyPolicy(
        this IServiceCollection services, string policy, Func<IServiceProvider, int> permitsPerCaller, Action<HttpContext, string>? rejected = null)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(policy, context => RateLimitPartition.GetConcurrencyLimiter(
                Caller(context),
                _ => new ConcurrencyLimiterOptions { PermitLimit = permitsPerCaller(context.RequestServices), QueueLimit = 0 }));
            limiter.OnRejected = async (refused, ct) =>
            {
                var http = refused.HttpContext;
                var detail = $"This caller ({Caller(http)}) already has {permitsPerCaller(http.RequestServices)} such requests running; retry when one has finished.";
                try
                {
                    rejected?.Invoke(http, detail);
                }
                catch (Exception error)
                {
                    http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(CallerConcurrency)).LogError(error, "Telling of a refused request failed");
                }

                http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                await Problems.WriteAsync(http.RequestServices.GetRequiredService<IProblemDetailsService>(), http, StatusCodes.Status429TooManyRequests,
                    "Too many requests in flight", detail);
            };
        });
        return services;
    }

    /// <summary>Who a request counts against: the token's subject, else the client's address.</summary>
    public static string Caller(HttpContext context) => context.User.Identity is { IsAuthenticated: true, Name: { } subject }
        ? "sub:" + subject
        : "anonymous@" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
}
