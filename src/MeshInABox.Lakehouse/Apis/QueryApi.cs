using System.Globalization;
using System.Security.Claims;
using MeshInABox.Domain.Naming;
using MeshInABox.Lakehouse.Engine.Query;
using MeshInABox.Lakehouse.Infrastructure;
using MeshInABox.Lakehouse.Model;
using MeshInABox.Lakehouse.OpenApi;
using MeshInABox.Lakehouse.Usage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace MeshInABox.Lakehouse.Apis;

/// <summary><c>POST /query</c>: SQL over data products, streamed as NDJSON, CSV or Arrow IPC.</summary>
public static class QueryApi
{
    /// <summary>Queries in flight per caller (<see cref="LakehouseOptions.MaxConcurrentQueriesPerCaller"/>).</summary>
    public const string ConcurrencyPolicy = "queries-per-caller";

    private const string SqlRequired = "'sql' is required: one SELECT query.";

    public static IEndpointRouteBuilder MapQueryApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/query", RunQuery).WithName(nameof(RunQuery)).WithTags("Query")
            .RequireRateLimiting(ConcurrencyPolicy)
            .WithSummary("Run one SELECT over data products named domain.product.table; rows stream as they are produced.")
            .WithDescription(
                "The Accept header picks the format: application/x-ndjson (default, one JSON object per row), text/csv (a header line, then RFC 4180 rows) " +
                "or application/vnd.apache.arrow.stream (Arrow IPC). Anonymous callers read open products; a restricted product needs a bearer token whose sub holds a grant. " +
                "Every query, refused ones included, is recorded for GET /usage.")
            .Produces(StatusCodes.Status200OK, contentType: QueryStreamResult.NdJson, additionalContentTypes: [QueryStreamResult.Csv, ArrowStreamResult.ContentType])
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status414UriTooLong)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .AddOpenApiOperationTransformer(LakehouseOpenApi.DescribeQuery);
        return app;
    }

    public static async Task<Results<QueryStreamResult, ArrowStreamResult, ValidationProblem, ProblemHttpResult>> RunQuery(
        QueryRequest body, HttpRequest request, ClaimsPrincipal user, RegistryProductSources resolver, DuckDbPool pool,
        SharedLakeDatabase shared, UsageRecorder usage, TimeProvider time, IOptions<LakehouseOptions> options, CancellationToken ct)
    {
        var started = time.GetUtcNow();
        void Refused(int status, string reason) => usage.Record(new QueryUsage(
            Guid.CreateVersion7(started), user.Identity?.Name, started, time.GetUtcNow() - started, 0, QueryOutcomes.Refusal(status), body.Sql, [], status, reason));

        // The subject is what grants name and what the grant lookup puts in a URL: it must follow the naming rule.
        // Not recorded: a record would name no valid caller.
        if (user.Identity?.IsAuthenticated == true && MeshNames.Subject(user.Identity.Name) is { } rule)
        {
            request.HttpContext.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\", error_description=\"the token's sub breaks the subject naming rule\"";
            return TypedResults.Problem($"The token's subject (sub) is refused: {rule}", statusCode: StatusCodes.Status401Unauthorized, title: "Invalid token subject");
        }

        if (string.IsNullOrWhiteSpace(body.Sql))
        {
            Refused(StatusCodes.Status400BadRequest, SqlRequired);
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["sql"] = [SqlRequired] });
        }

        CheckedQuery query;
        Dictionary<ProductReference, (ResolvedProduct Product, ProductSource Source)> resolved;
        try
        {
            using (var parser = shared.Parser())
            {
                query = SqlGuard.Check(parser, body.Sql);
            }

            var found = await resolver.ResolveAsync(query.Products, user.Identity?.Name, ct);
            resolved = query.Products.ToDictionary(p => p, p => (found[p], found[p].Source()));
        }
        catch (QueryRejectedException error)
        {
            var problem = Problem(error, request.HttpContext);
            Refused(problem.StatusCode, error.Message);
            return problem;
        }

        var accept = request.Headers.Accept.ToString();
        var arrow = accept.Contains(ArrowStreamResult.ContentType, StringComparison.OrdinalIgnoreCase);
        var format = accept.Contains("text/csv", StringComparison.OrdinalIgnoreCase) ? QueryStreamResult.Csv : QueryStreamResult.NdJson;
        var limits = new QueryLimits(TimeSpan.FromSeconds(options.Value.TimeoutSeconds), options.Value.MaxRows, options.Value.MemoryLimit);
        var reads = resolved.Values.Select(r => new ProductRead(r.Product.ProductId, r.Product.Output, r.Source.Snapshot)).Distinct().ToList();
        var response = request.HttpContext.Response;
        void Finished(long rows, QueryOutcome outcome, string? reason) => usage.Record(new QueryUsage(
            Guid.CreateVersion7(started), user.Identity?.Name, started, time.GetUtcNow() - started, rows, outcome, body.Sql, reads,
            outcome is QueryOutcome.Completed or QueryOutcome.Truncated || response.HasStarted ? response.StatusCode : null, reason));

        // Lakehouse tables only: the shared database, with its footers cached. Anything else: a fresh sandboxed database.
        var sources = resolved.ToDictionary(kv => kv.Key, kv => kv.Value.Source);
        if (shared.Covers(sources.Values))
        {
            var connection = shared.Connect(sources);
            if (arrow)
            {
                return new ArrowStreamResult(connection, limits.MaxRows, Finished, (onSchema, onBatch, token) =>
                    QueryEngine.StreamArrowAsync(connection, query.Products, query.Sql, limits, onSchema, onBatch, token));
            }

            return new QueryStreamResult(connection, format, limits.MaxRows, Finished, (onColumns, onRow, token) =>
                QueryEngine.Stream(connection, query.Products, query.Sql, limits, onColumns, onRow, token));
        }

        // Sources are resolved once: the engine gets them as they are, not to be looked up again.
        var known = new MappedProductSources(sources.ToDictionary(kv => kv.Key.Key, kv => (Func<ProductSource>)(() => kv.Value)));
        var duck = await pool.TakeAsync(ct);
        if (arrow)
        {
            return new ArrowStreamResult(duck, limits.MaxRows, Finished, (onSchema, onBatch, token) =>
            {
                QueryEngine.Prepare(duck, query.Products, known, limits);
                return QueryEngine.StreamArrowAsync(duck, query.Products, query.Sql, limits, onSchema, onBatch, token);
            });
        }

        return new QueryStreamResult(duck, format, limits.MaxRows, Finished, (onColumns, onRow, token) =>
            QueryEngine.Run(duck, query.Products, query.Sql, known, limits, onColumns, onRow, token));
    }

    /// <summary>Records a query refused for being one too many (its body is not read: a 429 costs nothing).</summary>
    internal static void RecordThrottled(HttpContext http, string reason)
    {
        var subject = http.User.Identity is { IsAuthenticated: true } identity ? identity.Name : null;
        if (subject is not null && MeshNames.Subject(subject) is not null)
        {
            return;
        }

        var services = http.RequestServices;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        services.GetRequiredService<UsageRecorder>().Record(new QueryUsage(
            Guid.CreateVersion7(now), subject, now, TimeSpan.Zero, 0, QueryOutcome.Throttled, Sql: null, [], StatusCodes.Status429TooManyRequests, reason));
    }

    internal static ProblemHttpResult Problem(QueryRejectedException error, HttpContext context)
    {
        if (error.Unavailable)
        {
            context.Response.Headers.RetryAfter = ((int)RegistryProductSources.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem(error.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Temporarily unavailable");
        }

        var status = error.Forbidden ? StatusCodes.Status403Forbidden : error.Unknown ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest;
        var extensions = new Dictionary<string, object?>();
        if (error.Position is { } position)
        {
            extensions["position"] = position;
        }

        return TypedResults.Problem(error.Message, statusCode: status, title: status == 403 ? "Query not allowed" : status == 404 ? "Unknown product" : "Invalid query", extensions: extensions);
    }
}
