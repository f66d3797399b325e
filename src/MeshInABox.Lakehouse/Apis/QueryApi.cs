using System.Globalization;
using MeshInABox.Domain.Naming;
using MeshInABox.Lakehouse.Engine.Query;
using MeshInABox.Lakehouse.Execution;
using MeshInABox.Lakehouse.Infrastructure;
using MeshInABox.Lakehouse.Model;
using MeshInABox.Lakehouse.OpenApi;
using MeshInABox.Lakehouse.Usage;
using Microsoft.AspNetCore.Http.HttpResults;

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
            .AddEndpointFilter<ValidSubjectFilter>()
            .WithSummary("Run one SELECT over data products named domain.product.table; rows stream as they are produced.")
            .WithDescription(
                "The Accept header picks the format: application/x-ndjson (default, one JSON object per row), text/csv (a header line, then RFC 4180 rows) " +
                "or application/vnd.apache.arrow.stream (Arrow IPC). Anonymous callers read open products; a restricted product needs a bearer token whose sub holds a grant. " +
                "Every query, refused ones included, is recorded for GET /usage.")
            .Produces(StatusCodes.Status200OK, contentType: ResultFormat.NdJson.MediaType, additionalContentTypes: [ResultFormat.Csv.MediaType, ResultFormat.Arrow.MediaType])
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

    public static async Task<Results<QueryResponse, ValidationProblem, ProblemHttpResult>> RunQuery(
        QueryRequest body, HttpContext http, IProductSources sources, QueryExecutor executor, UsageRecorder usage, TimeProvider time, CancellationToken ct)
    {
        var record = new QueryUsageScope(usage, time, http.User.Identity?.Name, body.Sql);
        if (string.IsNullOrWhiteSpace(body.Sql))
        {
            record.Refused(StatusCodes.Status400BadRequest, SqlRequired);
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["sql"] = [SqlRequired] });
        }

        try
        {
            var query = executor.Check(body.Sql);
            var products = await sources.ResolveAsync(query.Products, record.Subject, ct);
            record.Reads([.. products.Values.Select(p => new ProductRead(p.ProductId, p.Output, p.Source.Snapshot)).Distinct()]);
            var result = await executor.ExecuteAsync(query, products, ResultFormat.FromAccept(http.Request.Headers.Accept.ToString()), ct);
            return new QueryResponse(result, record.Ended);
        }
        catch (QueryRejectedException error)
        {
            var problem = Problem(error, http);
            record.Refused(problem.StatusCode, error.Message);
            return problem;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            record.Cancelled();
            throw;
        }
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
        new QueryUsageScope(services.GetRequiredService<UsageRecorder>(), services.GetRequiredService<TimeProvider>(), subject, sql: null)
            .Refused(StatusCodes.Status429TooManyRequests, reason);
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
