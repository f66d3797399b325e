using System.Security.Claims;
using MeshInABox.Domain.Access;
using MeshInABox.Domain.Products;
using MeshInABox.Registry.Infrastructure;
using MeshInABox.Registry.Products;

namespace MeshInABox.Registry.Access;

/// <summary>Why a request or a decision was refused, as the API answers it.</summary>
public sealed record AccessRefusal(int Status, string Title, string Detail);

/// <summary>The request after the call, or why the call was refused.</summary>
public sealed record AccessOutcome(AccessRequest? Request, AccessRefusal? Refusal, bool Created = false)
{
    public static AccessOutcome Refused(int status, string title, string detail) => new(null, new AccessRefusal(status, title, detail));
}

/// <summary>
/// The runbook "granting consumer access to a restricted data product", as code: a request with a purpose; the
/// policy (an open product is granted at once, a restricted one waits for a member of the owning domain or an
/// approver its contract names, never the requester); the grant applied where the data is, each step reported on the
/// request; and the audit of every step. Deprecated products take no new grants; retired ones none at all.
/// </summary>
public sealed class AccessService(
    AccessRequestStore requests, ProductStore products, VersionStore versions, IEnumerable<IAccessApplier> appliers, TimeProvider time)
{
    /// <summary>Who decides for an open product: the platform's policy, named so in the audit.</summary>
    public const string OpenPolicy = "policy:open";

    public async Task<AccessOutcome> RequestAsync(RegisteredProduct product, string requester, string purpose, CancellationToken ct)
    {
        if (product.Status != ProductStatus.Active)
        {
            return AccessOutcome.Refused(StatusCodes.Status409Conflict, "No new grants",
                product.Status == ProductStatus.Retired
                    ? $"'{product.Id}' is retired: it takes no access requests."
                    : $"'{product.Id}' is deprecated (sunset {product.Deprecation?.SunsetAt:u}): new grants stopped at its deprecation; existing ones last until the sunset.");
        }

        var level = product.Classification == Classification.Restricted ? AccessLevel.Restricted : AccessLevel.Open;
        var (request, created) = await requests.CreateAsync(product.Id, requester, purpose, level, time.GetUtcNow(), ct);
        if (created && level == AccessLevel.Open)
        {
            var approved = await requests.TransitionAsync(
                request.Id, [AccessStatus.Pending], AccessStatus.Approved, OpenPolicy, "approved", new { reason = "the product is open" }, time.GetUtcNow(), ct,
                decisionNote: "Open product: granted on request.", decides: true);
            request = approved is null ? request : await ApplyAsync(approved, product, OpenPolicy, ct);
        }

        return new AccessOutcome(request, null, created);
    }

    /// <summary>
    /// Approves a pending request (or applies again one that was approved and failed or did not finish): only an
    /// approver, never the requester; with second-level approvers named, the first approval waits for one of them.
    /// </summary>
    public async Task<AccessOutcome> ApproveAsync(long id, ClaimsPrincipal decider, string? note, CancellationToken ct)
    {
        var (request, product, refusal) = await DecidableAsync(id, decider, ct);
        if (refusal is not null)
        {
            return new AccessOutcome(null, refusal);
        }

        var actor = decider.Identity!.Name!;
        if (request!.Status is AccessStatus.Approved or AccessStatus.Failed)
        {
            return new AccessOutcome(await ApplyAsync(request, product!, actor, ct), null);
        }

        var approvers = await ApproversAsync(product!, ct);
        var owner = MeshAccess.OwnsDomain(decider, product!.Domain);
        var audit = await requests.AuditOfAsync(id, ct);
        var firstDone = audit.Any(a => a.Action == "approved-first-level");
        if (approvers.NeedsSecondLevel && !firstDone)
        {
            if (!owner && !approvers.FirstLevel.Contains(actor))
            {
                return NotApprover(product, actor, "first-level");
            }

            await requests.AuditAsync(id, product.Id, actor, "approved-first-level", new { note }, time.GetUtcNow(), ct);
            return new AccessOutcome(await requests.GetAsync(id, ct), null);
        }

        if (approvers.NeedsSecondLevel ? !approvers.SecondLevel.Contains(actor) : !owner && !approvers.FirstLevel.Contains(actor))
        {
            return NotApprover(product, actor, approvers.NeedsSecondLevel ? "second-level" : "first-level");
        }

        if (approvers.NeedsSecondLevel && audit.Any(a => a.Action == "approved-first-level" && a.Actor == actor))
        {
            return AccessOutcome.Refused(StatusCodes.Status403Forbidden, "Second approver needed",
                $"'{actor}' gave the first-level approval of request {id}: the second level is somebody else's.");
        }

        var approved = await requests.TransitionAsync(id, [AccessStatus.Pending], AccessStatus.Approved, actor, "approved", new { note }, time.GetUtcNow(), ct,
            decisionNote: note, decides: true);
        return approved is null
            ? await ConflictAsync(id, ct)
            : new AccessOutcome(await ApplyAsync(approved, product, actor, ct), null);
    }

    public async Task<AccessOutcome> DenyAsync(long id, ClaimsPrincipal decider, string? note, CancellationToken ct)
    {
        var (request, product, refusal) = await DecidableAsync(id, decider, ct);
        if (refusal is not null)
        {
            return new AccessOutcome(null, refusal);
        }

        var actor = decider.Identity!.Name!;
        var approvers = await ApproversAsync(product!, ct);
        if (!MeshAccess.OwnsDomain(decider, product!.Domain) && !approvers.FirstLevel.Contains(actor) && !approvers.SecondLevel.Contains(actor))
        {
            return NotApprover(product, actor, "any");
        }

        if (request!.Status != AccessStatus.Pending)
        {
            return await ConflictAsync(id, ct);
        }

        var denied = await requests.TransitionAsync(id, [AccessStatus.Pending], AccessStatus.Denied, actor, "denied", new { note }, time.GetUtcNow(), ct,
            decisionNote: note, decides: true);
        return denied is null ? await ConflictAsync(id, ct) : new AccessOutcome(denied, null);
    }

    /// <summary>Takes a grant away where the data is (the consumer's next session is refused): the owning domain, or the requester giving it up.</summary>
    public async Task<AccessOutcome> RevokeAsync(long id, ClaimsPrincipal actor, CancellationToken ct)
    {
        var request = await requests.GetAsync(id, ct);
        var product = request is null ? null : await products.GetAsync(request.ProductId, ct);
        if (request is null || product is null)
        {
            return AccessOutcome.Refused(StatusCodes.Status404NotFound, "No such request", $"There is no access request {id}.");
        }

        var name = actor.Identity?.Name ?? "";
        if (name != request.Requester && !MeshAccess.OwnsDomain(actor, product.Domain))
        {
            return AccessOutcome.Refused(StatusCodes.Status403Forbidden, "Not yours to revoke",
                $"Request {id} is revoked by the owning domain ({product.Domain}, with the write scope) or by its requester.");
        }

        return await RevokeAsync(request, product, name, ct);
    }

    /// <summary>At retirement: every request that stands is revoked (pending ones denied), by the platform.</summary>
    public async Task<IReadOnlyList<AccessRequest>> RevokeAllAsync(RegisteredProduct product, string actor, CancellationToken ct)
    {
        var done = new List<AccessRequest>();
        foreach (var request in await requests.LiveOnProductAsync(product.Id, ct))
        {
            var outcome = request.Status == AccessStatus.Pending
                ? new AccessOutcome(await requests.TransitionAsync(request.Id, [AccessStatus.Pending], AccessStatus.Denied, actor, "denied",
                    new { reason = "the product was retired" }, time.GetUtcNow(), ct, decisionNote: "Product retired.", decides: true), null)
                : await RevokeAsync(request, product, actor, ct);
            if (outcome.Request is { } revoked)
            {
                done.Add(revoked);
            }
        }

        return done;
    }

    public Task<IReadOnlyList<AccessRequest>> LiveRequestsAsync(string productId, CancellationToken ct) => requests.LiveOnProductAsync(productId, ct);

    private async Task<AccessOutcome> RevokeAsync(AccessRequest request, RegisteredProduct product, string actor, CancellationToken ct)
    {
        if (request.Status is AccessStatus.Revoked or AccessStatus.Denied)
        {
            return new AccessOutcome(request, null);
        }

        if (request.Status == AccessStatus.Pending)
        {
            return AccessOutcome.Refused(StatusCodes.Status409Conflict, "Nothing granted", $"Request {request.Id} is pending: deny it, or let its requester withdraw it.");
        }

        var steps = new List<AccessStep>();
        foreach (var applier in appliers)
        {
            steps.AddRange(await RunAsync(() => applier.RevokeAsync(request, product, actor, ct)));
        }

        if (steps.Any(s => s.Failed))
        {
            await requests.AuditAsync(request.Id, product.Id, actor, "revoke-failed", new { steps }, time.GetUtcNow(), ct);
            return AccessOutcome.Refused(StatusCodes.Status503ServiceUnavailable, "Revocation not applied",
                $"Request {request.Id} could not be undone everywhere: {string.Join("; ", steps.Where(s => s.Failed).Select(s => $"{s.Where} {s.Step}: {s.Detail}"))}. Revoke again.");
        }

        var revoked = await requests.TransitionAsync(
            request.Id, [AccessStatus.Approved, AccessStatus.Granted, AccessStatus.Failed], AccessStatus.Revoked, actor, "revoked", new { steps }, time.GetUtcNow(), ct, steps);
        return revoked is null ? await ConflictAsync(request.Id, ct) : new AccessOutcome(revoked, null);
    }

    /// <summary>Applies an approved request in every store the product uses; a failed step leaves it failed, to be approved (applied) again.</summary>
    private async Task<AccessRequest> ApplyAsync(AccessRequest request, RegisteredProduct product, string actor, CancellationToken ct)
    {
        var steps = new List<AccessStep>();
        foreach (var applier in appliers)
        {
            steps.AddRange(await RunAsync(() => applier.GrantAsync(request, product, actor, ct)));
            if (steps.Any(s => s.Failed))
            {
                break;
            }
        }

        var failed = steps.Any(s => s.Failed);
        return await requests.TransitionAsync(
                request.Id, [AccessStatus.Approved, AccessStatus.Failed], failed ? AccessStatus.Failed : AccessStatus.Granted, actor,
                failed ? "apply-failed" : "granted", new { steps }, time.GetUtcNow(), ct, steps)
            ?? (await requests.GetAsync(request.Id, ct))!;
    }

    /// <summary>A store that cannot be reached fails its step, with the reason; it never fails the request's call.</summary>
    private async Task<IReadOnlyList<AccessStep>> RunAsync(Func<Task<IReadOnlyList<AccessStep>>> step)
    {
        try
        {
            return await step();
        }
        catch (Exception error) when (error is Npgsql.NpgsqlException or IOException or TimeoutException or InvalidOperationException)
        {
            return [new AccessStep("storage", "apply", "failed", error.Message, time.GetUtcNow())];
        }
    }

    private async Task<(AccessRequest?, RegisteredProduct?, AccessRefusal?)> DecidableAsync(long id, ClaimsPrincipal decider, CancellationToken ct)
    {
        var request = await requests.GetAsync(id, ct);
        var product = request is null ? null : await products.GetAsync(request.ProductId, ct);
        if (request is null || product is null)
        {
            return (null, null, new AccessRefusal(StatusCodes.Status404NotFound, "No such request", $"There is no access request {id}."));
        }

        if (decider.Identity?.Name == request.Requester)
        {
            return (null, null, new AccessRefusal(StatusCodes.Status403Forbidden, "Self-approval refused",
                $"'{request.Requester}' asked for request {id}: somebody else of {product.Domain} decides it."));
        }

        if (product.Status != ProductStatus.Active && request.Status == AccessStatus.Pending)
        {
            return (null, null, new AccessRefusal(StatusCodes.Status409Conflict, "No new grants",
                $"'{product.Id}' is {EnumNames.Of(product.Status)}: new grants stopped; deny the request instead."));
        }

        return request.Status is AccessStatus.Pending or AccessStatus.Approved or AccessStatus.Failed
            ? (request, product, null)
            : (null, null, new AccessRefusal(StatusCodes.Status409Conflict, "Already decided", $"Request {id} is {EnumNames.Of(request.Status)}."));
    }

    private async Task<ContractApprovers> ApproversAsync(RegisteredProduct product, CancellationToken ct) =>
        ContractApprovers.Of(await versions.CurrentContractAsync(product, ct));

    private static AccessOutcome NotApprover(RegisteredProduct product, string actor, string level) =>
        AccessOutcome.Refused(StatusCodes.Status403Forbidden, "Not an approver",
            $"'{actor}' may not give the {level} approval for {product.Id}: a member of {product.Domain} (a token with the write scope naming it) " +
            "or an approver its contract's roles[] names decides.");

    private async Task<AccessOutcome> ConflictAsync(long id, CancellationToken ct) =>
        await requests.GetAsync(id, ct) is { } now
            ? AccessOutcome.Refused(StatusCodes.Status409Conflict, "Already decided", $"Request {id} is {EnumNames.Of(now.Status)}.")
            : AccessOutcome.Refused(StatusCodes.Status404NotFound, "No such request", $"There is no access request {id}.");
}
