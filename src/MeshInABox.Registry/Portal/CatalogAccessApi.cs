using MeshInABox.Domain.Naming;
using MeshInABox.Registry.Access;
using MeshInABox.Registry.Apis;
using MeshInABox.Registry.Infrastructure;
using MeshInABox.Registry.Portal.Components;
using MeshInABox.Registry.Products;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MeshInABox.Registry.Portal;

/// <summary>An antiforgery token for the forms of one page, bound to whoever the page was rendered for.</summary>
public sealed record PortalForm(string FieldName, string Token);

/// <summary>The access part of a product page: who is signed in, their standing request, and the form to ask.</summary>
public sealed record ProductAccessView(PortalUser User, PortalForm Form, AccessRequest? Live);

/// <summary>
/// The portal's write side: sign in with a mesh token, ask for access to a product, see one's own requests, and decide
/// the requests waiting on one's domains. Every POST is a form with an antiforgery token; a refusal is shown, never a 500.
/// </summary>
public static class CatalogAccessApi
{
    private const int ListLimit = 200;

    public static RouteGroupBuilder MapCatalogAccess(this RouteGroupBuilder portal)
    {
        portal.MapGet("/account", GetAccount).WithName(nameof(GetAccount));
        portal.MapPost("/sign-in", PostSignIn).WithName(nameof(PostSignIn)).DisableAntiforgery();
        portal.MapPost("/sign-out", PostSignOut).WithName(nameof(PostSignOut)).DisableAntiforgery();
        portal.MapGet("/access", GetMyAccess).WithName(nameof(GetMyAccess));
        portal.MapGet("/approvals", GetApprovals).WithName(nameof(GetApprovals));
        portal.MapPost("/approvals/{requestId:long}", PostDecision).WithName(nameof(PostDecision)).DisableAntiforgery();
        portal.MapPost("/products/{productId}/access-requests", PostAccessRequest).WithName(nameof(PostAccessRequest)).DisableAntiforgery();
        return portal;
    }

    public static async Task<IResult> GetAccount(HttpContext http, CatalogMode mode, IAntiforgery antiforgery) =>
        Page<AccountPage>(new { Mode = mode, User = await PortalSession.UserAsync(http), Form = FormFor(http, antiforgery) });

    public static async Task<IResult> PostSignIn(HttpContext http, CatalogMode mode, IAntiforgery antiforgery)
    {
        if (await FormAsync(http, antiforgery) is not { } form)
        {
            return Forged(mode);
        }

        var token = form["token"].ToString().Trim();
        if (token.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            token = token["Bearer ".Length..].Trim();
        }

        if (token.Length is 0 or > PortalSession.MaxTokenLength || token.Any(char.IsWhiteSpace))
        {
            return new RazorComponentResult<AccountPage>(new
            {
                Mode = mode, User = PortalUser.Nobody, Form = FormFor(http, antiforgery),
                Message = $"Paste the token 'mesh token --subject NAME' prints: one line, at most {PortalSession.MaxTokenLength} characters.",
            })
            { StatusCode = StatusCodes.Status400BadRequest };
        }

        // Validated on the next request by the API's own bearer scheme: the account page says who it names, or why not.
        PortalSession.SignIn(http, token);
        return TypedResults.Redirect(CatalogLinks.Account);
    }

    public static async Task<IResult> PostSignOut(HttpContext http, CatalogMode mode, IAntiforgery antiforgery)
    {
        if (await FormAsync(http, antiforgery) is null)
        {
            return Forged(mode);
        }

        PortalSession.SignOut(http);
        return TypedResults.Redirect(CatalogLinks.Account);
    }

    public static async Task<IResult> GetMyAccess(HttpContext http, CatalogMode mode, IAntiforgery antiforgery, AccessRequestStore requests, ProductStore products, CancellationToken ct)
    {
        var user = await PortalSession.UserAsync(http);
        var mine = user.Subject is { } subject ? await requests.ByRequesterAsync(subject, ListLimit, ct) : [];
        return Page<MyAccessPage>(new { Mode = mode, User = user, Form = FormFor(http, antiforgery), Requests = await RowsAsync(mine, products, ct) });
    }

    public static async Task<IResult> GetApprovals(HttpContext http, CatalogMode mode, IAntiforgery antiforgery, AccessRequestStore requests, ProductStore products, CancellationToken ct) =>
        await ApprovalsAsync(http, mode, antiforgery, requests, products, null, false, ct);

    public static async Task<IResult> PostDecision(
        long requestId, HttpContext http, CatalogMode mode, IAntiforgery antiforgery, AccessService access, AccessRequestStore requests, ProductStore products, CancellationToken ct)
    {
        if (await FormAsync(http, antiforgery) is not { } form)
        {
            return Forged(mode);
        }

        var user = await PortalSession.UserAsync(http);
        if (!user.SignedIn)
        {
            return await ApprovalsAsync(http, mode, antiforgery, requests, products, null, false, ct);
        }

        var checks = new RequestChecks();
        var note = checks.Text(form["note"].ToString() is { Length: > 0 } n ? n : null, "note", AccessRequestsApi.MaxNoteLength);
        var decision = form["decision"].ToString();
        string message;
        var refused = true;
        if (checks.Failed)
        {
            message = string.Join(" ", checks.Errors.SelectMany(e => e.Value));
        }
        else if (decision is not ("approve" or "deny"))
        {
            message = "Choose Approve or Deny.";
        }
        else
        {
            var outcome = decision == "approve"
                ? await access.ApproveAsync(requestId, http.User, note, ct)
                : await access.DenyAsync(requestId, http.User, note, ct);
            if (outcome.Refusal is { } refusal)
            {
                message = $"{refusal.Title}: {refusal.Detail}";
            }
            else
            {
                var request = outcome.Request!;
                message = $"Request {request.Id} ({request.Requester} on {request.ProductId}) is now {EnumNames.Of(request.Status)}.";
                refused = false;
            }
        }

        return await ApprovalsAsync(http, mode, antiforgery, requests, products, message, refused, ct);
    }

    public static async Task<IResult> PostAccessRequest(
        string productId, HttpContext http, CatalogMode mode, IAntiforgery antiforgery, AccessService access, ProductStore products, CancellationToken ct)
    {
        if (await FormAsync(http, antiforgery) is not { } form)
        {
            return Forged(mode);
        }

        if (await products.GetAsync(productId, ct) is not { } product)
        {
            return Message(mode, "Not found", $"No data product has the id '{productId}'.", StatusCodes.Status404NotFound);
        }

        var user = await PortalSession.UserAsync(http);
        if (!user.SignedIn || !user.MayAct)
        {
            return Result(mode, product, null,
                user.SignedIn ? "Your token has neither the dpr.read nor the dpr.write scope: ask for a token with one of them." : NotSignedIn(user), StatusCodes.Status401Unauthorized);
        }

        var checks = new RequestChecks();
        checks.Name(user.Subject, "token.sub", MeshNames.Subject);
        var purpose = checks.Required(form["purpose"].ToString(), "purpose", AccessRequestsApi.MaxNoteLength);
        if (purpose.Length is > 0 and < AccessRequestsApi.MinPurposeLength)
        {
            checks.Add("purpose", $"Say why you need the data in at least {AccessRequestsApi.MinPurposeLength} characters: the approvers read it.");
        }

        if (checks.Failed)
        {
            return Result(mode, product, null, string.Join(" ", checks.Errors.SelectMany(e => e.Value)), StatusCodes.Status400BadRequest);
        }

        var outcome = await access.RequestAsync(product, user.Subject!, purpose, ct);
        return outcome.Refusal is { } refusal
            ? Result(mode, product, null, $"{refusal.Title}: {refusal.Detail}", refusal.Status)
            : Result(mode, product, outcome.Request, outcome.Created ? null : "You had asked already: this is the request that stands.", StatusCodes.Status200OK);
    }

    /// <summary>What a request's status means for its requester: who it waits for when pending.</summary>
    public static string StatusText(AccessRequest request, string? domain) => request.Status switch
    {
        AccessStatus.Pending => $"pending: waiting for {domain ?? "the owning domain"}",
        AccessStatus.Failed => "failed: approved, but a step of applying it failed (approving again retries)",
        _ => EnumNames.Of(request.Status),
    };

    public static PortalForm FormFor(HttpContext http, IAntiforgery antiforgery)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        return new PortalForm(tokens.FormFieldName, tokens.RequestToken ?? "");
    }

    public static string NotSignedIn(PortalUser user) =>
        (user.Rejected is { } why ? $"Your token was not accepted: {why} " : "")
        + "Sign in with a mesh token (mesh token --subject NAME) on the account page.";

    private static async Task<IResult> ApprovalsAsync(
        HttpContext http, CatalogMode mode, IAntiforgery antiforgery, AccessRequestStore requests, ProductStore products, string? message, bool refused, CancellationToken ct)
    {
        var user = await PortalSession.UserAsync(http);
        var pending = user.SignedIn && user.OwnedDomains.Count > 0 ? await requests.PendingInDomainsAsync(user.OwnedDomains, ListLimit, ct) : [];
        // Nobody approves their own request: it is not on their list.
        var rows = await RowsAsync([.. pending.Where(r => r.Requester != user.Subject)], products, ct);
        return Page<ApprovalsPage>(new { Mode = mode, User = user, Form = FormFor(http, antiforgery), Requests = rows, Message = message, Refused = refused });
    }

    private static async Task<IReadOnlyList<AccessRow>> RowsAsync(IReadOnlyList<AccessRequest> requests, ProductStore products, CancellationToken ct)
    {
        var domains = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var id in requests.Select(r => r.ProductId).Distinct(StringComparer.Ordinal))
        {
            domains[id] = (await products.GetAsync(id, ct))?.Domain;
        }

        return [.. requests.Select(r => new AccessRow(r, domains[r.ProductId], StatusText(r, domains[r.ProductId])))];
    }

    /// <summary>The form's fields once its antiforgery token checks out; null when it does not (or it is no form).</summary>
    private static async Task<IFormCollection?> FormAsync(HttpContext http, IAntiforgery antiforgery)
    {
        if (!http.Request.HasFormContentType)
        {
            return null;
        }

        try
        {
            await antiforgery.ValidateRequestAsync(http);
            return await http.Request.ReadFormAsync(http.RequestAborted);
        }
        catch (AntiforgeryValidationException)
        {
            return null;
        }
    }

    private static RazorComponentResult<MessagePage> Forged(CatalogMode mode) => Message(mode, "Form refused",
        "The form did not carry this catalog's antiforgery token (it expired, or it came from another page): reload the page and send it again.",
        StatusCodes.Status400BadRequest);

    private static RazorComponentResult<MessagePage> Message(CatalogMode mode, string title, string message, int status) =>
        new(new { Mode = mode, Title = title, Message = message }) { StatusCode = status };

    private static RazorComponentResult<AccessResultPage> Result(CatalogMode mode, RegisteredProduct product, AccessRequest? request, string? message, int status) =>
        new(new { Mode = mode, Product = product, Request = request, StatusText = request is null ? null : StatusText(request, product.Domain), Message = message })
        {
            StatusCode = status,
        };

    private static RazorComponentResult<T> Page<T>(object parameters)
        where T : Microsoft.AspNetCore.Components.IComponent => new(parameters);
}

/// <summary>One request as a list shows it: with its product's domain and what its status means.</summary>
public sealed record AccessRow(AccessRequest Request, string? Domain, string StatusText);
