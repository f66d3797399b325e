using MeshInABox.Domain.Naming;

namespace MeshInABox.Lakehouse.Apis;

/// <summary>
/// A token's subject is what grants name and what the grant lookup puts in a URL: one that breaks the naming rule
/// is a 401 before anything runs. Not recorded as usage: a record would name no valid caller.
/// </summary>
public sealed class ValidSubjectFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (http.User.Identity is { IsAuthenticated: true } identity && MeshNames.Subject(identity.Name) is { } rule)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\", error_description=\"the token's sub breaks the subject naming rule\"";
            return TypedResults.Problem($"The token's subject (sub) is refused: {rule}", statusCode: StatusCodes.Status401Unauthorized, title: "Invalid token subject");
        }

        return await next(context);
    }
}
