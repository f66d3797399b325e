using System.Net.Sockets;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MeshInABox.Postgres;

/// <summary>
/// PostgreSQL down, restarting or refusing connections is the service being
/// unavailable, not broken: a 503 problem with <c>Retry-After</c>, which clients
/// and proxies know to retry, instead of a 500.
/// </summary>
public sealed partial class DatabaseUnavailableExceptionHandler(
    IProblemDetailsService problems, ILogger<DatabaseUnavailableExceptionHandler> logger) : IExceptionHandler
{
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsUnavailable(exception))
        {
            return false;
        }

        LogUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path, exception.Message);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The database is unavailable",
                Detail = $"PostgreSQL cannot be reached or is restarting; nothing was changed by this request unless it said so. Retry after {RetryAfterSeconds} s.",
            },
        });
    }

    /// <summary>
    /// Connection failures and transient server states: cannot connect, the
    /// connection broke, an administrator or crash shut the server down, it
    /// is starting, too many connections, the database is gone.
    /// </summary>
    public static bool IsUnavailable(Exception exception)
    {
        for (Exception? error = exception; error is not null; error = error.InnerException)
        {
            switch (error)
            {
                case PostgresException postgres:
                    return postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
                        || postgres.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
                            or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections
                            or PostgresErrorCodes.InvalidCatalogName;
                case NpgsqlException { IsTransient: true }:
                case SocketException:
                    return true;
            }
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path}: the database is unavailable ({Reason}); answered 503")]
    private static partial void LogUnavailable(ILogger logger, string method, string path, string reason);
}
