using System.Security.Claims;
using MeshInABox.Domain.Access;
using MeshInABox.Domain.Naming;
using MeshInABox.Registry.Access;
using MeshInABox.Registry.Auth;
using MeshInABox.Registry.Infrastructure;
using MeshInABox.Registry.Model;
using MeshInABox.Registry.Products;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MeshInABox.Registry.Apis;

/// <summary>
/// Access requests: a consumer asks with a purpose, the owning domain decides (never the requester), the grant is
/// applied where the data is, and every step is audited. Every route needs a token: a request is somebody's.
/// </summary>
public static class AccessRequestsApi
{
    public const int MinPurposeLength = 10;
    public const int MaxNoteLength = 1000;
    private const int ListLimit = 200;

    public static IEndpointRouteBuilder MapAccessRequestsApi(this IEndpointRouteBuilder app)
    {
        var product = app.MapGroup("/data-products/{productId}/access-requests").WithTags("Access").RequireAuthorization(RegistryAuthExtensions.SubjectPolicy);
        product.MapPost("/", RequestAccess).WithName(nameof(RequestAccess))
            .WithSummary("Ask to read a product, saying why: an open product is granted at once, a restricted one waits for its owning domain.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        product.MapGet("/", ListProductRequests).WithName(nameof(ListProductRequests))
            .WithSummary("A product's access requests: all of them for its owning domain, the caller's own for anyone else.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        var requests = app.MapGroup("/access-requests").WithTags("Access").RequireAuthorization(RegistryAuthExtensions.SubjectPolicy);
        requests.MapGet("/mine", MyAccess).WithName(nameof(MyAccess)).WithSummary("The caller's access requests and grants, newest first.");
        requests.MapGet("/approvals", AccessApprovals).WithName(nameof(AccessApprovals))
            .WithSummary("Requests waiting for a decision on products of the domains the caller's token may write.");
        requests.MapGet("/{requestId:long}", GetAccessRequest).WithName(nameof(GetAccessRequest))
            .WithSummary("One request, for its requester and the owning domain.").ProducesProblem(StatusCodes.Status404NotFound);
        requests.MapGet("/{requestId:long}/audit", GetAccessAudit).WithName(nameof(GetAccessAudit))
            .WithSummary("Who asked, who decided, what was applied and when (append-only).").ProducesProblem(StatusCodes.Status404NotFound);
        requests.MapPost("/{requestId:long}/approve", ApproveAccess).WithName(nameof(ApproveAccess))
            .WithSummary("Approve a pending request and apply the grant where the data is (a member of the owning domain or a contract's approver; never the requester). Approving a failed one applies it again.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        requests.MapPost("/{requestId:long}/deny", DenyAccess).WithName(nameof(DenyAccess)).WithSummary("Deny a pending request.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        requests.MapPost("/{requestId:long}/revoke", RevokeAccess).WithName(nameof(RevokeAccess))
            .WithSummary("Take a grant away where the data is: the consumer's next session is refused (owning domain, or the requester).")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    public static async Task<Results<Created<AccessRequestResponse>, Ok<AccessRequestResponse>, ValidationProblem, ProblemHttpResult>> RequestAccess(
        string productId, AccessRequestBody? body, ClaimsPrincipal user, ProductStore products, AccessService access, CancellationToken ct)
    {
        if (await products.GetAsync(productId, ct) is not { } product)
        {
            return DataProductsApi.NotFound(productId);
        }

        var checks = new RequestChecks();
        var subject = Subject(user, checks);
        var purpose = checks.Required(body?.Purpose, "purpose", MaxNoteLength);
        if (purpose.Length is > 0 and < MinPurposeLength)
        {
            checks.Add("purpose", $"Say why you need the data in at least {MinPurposeLength} characters: the approvers read it.");
        }

        if (checks.Failed || subject is null)
        {
            return TypedResults.ValidationProblem(checks.Errors);
        }

        var outcome = await access.RequestAsync(product, subject, purpose, ct);
        return outcome switch
        {
            { Refusal: { } refusal } => Problem(refusal),
            { Created: true } => TypedResults.Created($"/access-requests/{outcome.Request!.Id}", outcome.Request.ToResponse()),
            _ => TypedResults.Ok(outcome.Request!.ToResponse()),
        };
    }

    public static async Task<Results<Ok<IReadOnlyList<AccessRequestResponse>>, ProblemHttpResult>> ListProductRequests(
        string productId, ClaimsPrincipal user, ProductStore products, AccessRequestStore requests, CancellationToken ct)
    {
        if (await products.GetAsync(productId, ct) is not { } product)
        {
            return DataProductsApi.NotFound(productId);
        }

        var all = await requests.ByProductAsync(productId, ListLimit, ct);
        var visible = MeshAccess.OwnsDomain(user, product.Domain) ? all : [.. all.Where(r => r.Requester == user.Identity?.Name)];
        return TypedResults.Ok<IReadOnlyList<AccessRequestResponse>>([.. visible.Select(r => r.ToResponse())]);
    }

    public static async Task<Ok<IReadOnlyList<AccessRequestResponse>>> MyAccess(ClaimsPrincipal user, AccessRequestStore requests, CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<AccessRequestResponse>>(user.Identity?.Name is { } subject
            ? [.. (await requests.ByRequesterAsync(subject, ListLimit, ct)).Select(r => r.ToResponse())]
            : []);

    public static async Task<Ok<IReadOnlyList<AccessRequestResponse>>> AccessApprovals(ClaimsPrincipal user, AccessRequestStore requests, CancellationToken ct)
    {
        var domains = MeshAccess.OwnedDomains(user);
        var pending = domains.Count == 0 ? [] : await requests.PendingInDomainsAsync(domains, ListLimit, ct);
        // Nobody approves their own request: it is not on their list.
        return TypedResults.Ok<IReadOnlyList<AccessRequestResponse>>([.. pending.Where(r => r.Requester != user.Identity?.Name).Select(r => r.ToResponse())]);
    }

    public static async Task<Results<Ok<AccessRequestResponse>, ProblemHttpResult>> GetAccessRequest(
        long requestId, ClaimsPrincipal user, AccessRequestStore requests, ProductStore products, CancellationToken ct) =>
        await VisibleAsync(requestId, user, requests, products, ct) is { } request ? TypedResults.Ok(request.ToResponse()) : NoRequest(requestId);

    public static async Task<Results<Ok<IReadOnlyList<AccessAuditResponse>>, ProblemHttpResult>> GetAccessAudit(
        long requestId, ClaimsPrincipal user, AccessRequestStore requests, ProductStore products, CancellationToken ct) =>
        await VisibleAsync(requestId, user, requests, products, ct) is null
            ? NoRequest(requestId)
            : TypedResults.Ok<IReadOnlyList<AccessAuditResponse>>([.. (await requests.AuditOfAsync(requestId, ct)).Select(a => new AccessAuditResponse(a.Id, a.Actor, a.Action, a.Detail, a.At))]);

    public static async Task<Results<Ok<AccessRequestResponse>, ValidationProblem, ProblemHttpResult>> ApproveAccess(
        long requestId, AccessDecisionBody? body, ClaimsPrincipal user, AccessService access, CancellationToken ct) =>
        await DecideAsync(body, user, note => access.ApproveAsync(requestId, user, note, ct));

    public static async Task<Results<Ok<AccessRequestResponse>, ValidationProblem, ProblemHttpResult>> DenyAccess(
        long requestId, AccessDecisionBody? body, ClaimsPrincipal user, AccessService access, CancellationToken ct) =>
        await DecideAsync(body, user, note => access.DenyAsync(requestId, user, note, ct));

    public static async Task<Results<Ok<AccessRequestResponse>, ValidationProblem, ProblemHttpResult>> RevokeAccess(
        long requestId, ClaimsPrincipal user, AccessService access, CancellationToken ct) =>
        await DecideAsync(null, user, _ => access.RevokeAsync(requestId, user, ct));

    private static async Task<Results<Ok<AccessRequestResponse>, ValidationProblem, ProblemHttpResult>> DecideAsync(
        AccessDecisionBody? body, ClaimsPrincipal user, Func<string?, Task<AccessOutcome>> decide)
    {
        var checks = new RequestChecks();
        Subject(user, checks);
        var note = checks.Text(body?.Note, "note", MaxNoteLength);
        if (checks.Failed)
        {
            return TypedResults.ValidationProblem(checks.Errors);
        }

        var outcome = await decide(note);
        return outcome.Refusal is { } refusal ? Problem(refusal) : TypedResults.Ok(outcome.Request!.ToResponse());
    }

    /// <summary>A request is shown to its requester and to the owning domain; to anyone else it does not exist.</summary>
    private static async Task<AccessRequest?> VisibleAsync(long id, ClaimsPrincipal user, AccessRequestStore requests, ProductStore products, CancellationToken ct)
    {
        var request = await requests.GetAsync(id, ct);
        if (request is null || request.Requester == user.Identity?.Name)
        {
            return request;
        }

        return await products.GetAsync(request.ProductId, ct) is { } product && MeshAccess.OwnsDomain(user, product.Domain) ? request : null;
    }

    /// <summary>The caller's subject, which a request is recorded under: the token's sub, by the naming rules.</summary>
    private static string? Subject(ClaimsPrincipal user, RequestChecks checks) =>
        checks.Name(user.Identity?.Name, "token.sub", MeshNames.Subject);

    private static ProblemHttpResult NoRequest(long id) =>
        TypedResults.Problem($"There is no access request {id} that this token may see.", statusCode: StatusCodes.Status404NotFound, title: "No such request");

    private static ProblemHttpResult Problem(AccessRefusal refusal) => TypedResults.Problem(refusal.Detail, statusCode: refusal.Status, title: refusal.Title);

    private static AccessRequestResponse ToResponse(this AccessRequest request) => new(
        request.Id, request.ProductId, request.Requester, request.Purpose, EnumNames.Of(request.Level), EnumNames.Of(request.Status),
        request.DecidedBy, request.DecidedAt, request.DecisionNote,
        [.. request.Steps.Select(s => new AccessStepResponse(s.Where, s.Step, s.Outcome, s.Detail, s.At))], request.RequestedAt, request.UpdatedAt);
}
