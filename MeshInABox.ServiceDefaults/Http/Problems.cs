using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace MeshInABox.ServiceDefaults.Http;

/// <summary>Writes an RFC 9457 problem from middleware, through the service's problem details writer.</summary>
internal static class Problems
{
    public static ValueTask WriteAsync(IProblemDetailsService problems, HttpContext context, int status, string title, string detail) =>
        WriteAsync(problems, context, new ProblemDetails { Status = status, Title = title, Detail = detail });

    public static ValueTask WriteAsync(IProblemDetailsService problems, HttpContext context, ProblemDetails problem)
    {
        context.Response.StatusCode = problem.Status ?? StatusCodes.Status400BadRequest;
        return problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }
}
