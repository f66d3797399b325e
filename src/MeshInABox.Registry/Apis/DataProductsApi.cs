using System.Security.Claims;
using MeshInABox.Domain.Naming;
using MeshInABox.Domain.Products;
using MeshInABox.Registry.Access;
using MeshInABox.Registry.Auth;
using MeshInABox.Registry.Infrastructure;
using MeshInABox.Registry.Locations;
using MeshInABox.Registry.Model;
using MeshInABox.Registry.Portal;
using MeshInABox.Registry.ProductLineage;
using MeshInABox.Registry.Storage;
using MeshInABox.Registry.Products;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace MeshInABox.Registry.Apis;

/// <summary>Registering, finding and retiring data products.</summary>
public static class DataProductsApi
{
    public static IEndpointRouteBuilder MapDataProductsApi(this IEndpointRouteBuilder app)
    {
        var reads = app.MapGroup("/data-products").WithTags("Data products").RequireAuthorization(RegistryAuthExtensions.ReadPolicy);
        var writes = app.MapGroup("/data-products").WithTags("Data products").RequireAuthorization(RegistryAuthExtensions.WritePolicy);

        writes.MapPost("/", RegisterProduct).WithName(nameof(RegisterProduct))
            .WithSummary("Register a data product.")
            .WithDescription("The id defaults to <domain>.<name in kebab case>. 409 when a product has that id already.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        reads.MapGet("/", ListProducts).WithName(nameof(ListProducts))
            .WithSummary("Search data products by text (name, description, tags), domain, owner, tag and status, a page at a time.");
        reads.MapGet("/{productId}", GetProduct).WithName(nameof(GetProduct))
            .WithSummary("A data product, with its deprecation notice if it has one.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        writes.MapPost("/{productId}/deprecation", DeprecateProduct).WithName(nameof(DeprecateProduct)).RequireProductWriter()
            .WithSummary("Deprecate a product: consumers see the sunset date and the message.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        writes.MapPost("/{productId}/retirement", RetireProduct).WithName(nameof(RetireProduct)).RequireProductWriter()
            .WithSummary("Retire a deprecated product after its sunset: it stays readable as history but takes no new versions.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    public static async Task<Results<Created<DataProductResponse>, ValidationProblem, ProblemHttpResult>> RegisterProduct(
        RegisterProductRequest body, ClaimsPrincipal user, ProductStore products, LocationRules locations, TimeProvider time, CancellationToken ct)
    {
        var checks = new RequestChecks();
        var name = checks.Required(body.Name, "name", MeshNames.MaxDisplayNameLength);
        var domain = checks.Name(body.Domain, "domain", MeshNames.Domain) ?? "";
        var owner = checks.Name(body.Owner, "owner", MeshNames.Owner) ?? "";
        var description = checks.Required(body.Description, "description", MeshNames.MaxDescriptionLength);
        var businessUnit = checks.Text(body.BusinessUnit, "businessUnit", RequestChecks.MaxShortTextLength);
        var tags = checks.Tags(body.Tags);
        var classification = checks.Classification(body.Classification);
        var id = body.Id ?? (domain.Length > 0 && name.Length > 0 ? $"{domain}.{RequestChecks.Slug(name)}" : null);
        var validId = id is null ? null : checks.Name(id, "id", MeshNames.ProductId);
        if (validId is not null
            && domain.Length > 0 && !validId.StartsWith(domain + ".", StringComparison.Ordinal))
        {
            checks.Add("id", $"{MeshNames.Quote(id)} must start with its domain '{domain}.'.");
        }

        // Locations are checked against the product's own folder, so only once its id is known to be good.
        var outputs = checks.Outputs(body.Outputs, checks.Failed ? null : validId, locations);
        var inputs = checks.Inputs(body.Inputs);
        if (checks.Failed || validId is null)
        {
            return TypedResults.ValidationProblem(checks.Errors);
        }

        if (!RegistryAuthExtensions.CanWrite(user, domain))
        {
            return Forbidden(user, domain);
        }

        var registered = await products.RegisterAsync(
            new ProductStore.NewProduct(validId, name, domain, owner, description, businessUnit, tags, classification, outputs, inputs),
            time.GetUtcNow(), ct);
        return registered is null
            ? TypedResults.Problem($"A data product with id '{validId}' is already registered.", statusCode: StatusCodes.Status409Conflict, title: "Product exists")
            : TypedResults.Created($"/data-products/{validId}", registered.ToResponse());
    }

    public static async Task<Results<Ok<ProductPage>, ValidationProblem>> ListProducts(
        ProductStore products, IOptions<RegistryOptions> options, CancellationToken ct,
        string? q = null, string? domain = null, string? owner = null, string? tag = null, string? status = null, int page = 1, int pageSize = 50)
    {
        var checks = new RequestChecks();
        if (page < 1)
        {
            checks.Add("page", "'page' starts at 1.");
        }

        if (pageSize < 1 || pageSize > options.Value.MaxPageSize)
        {
            checks.Add("pageSize", $"'pageSize' must be between 1 and {options.Value.MaxPageSize}.");
        }

        var statusFilter = status is null ? null : EnumNames.Parse<ProductStatus>(status);
        if (status is not null && statusFilter is not (ProductStatus.Active or ProductStatus.Deprecated or ProductStatus.Retired))
        {
            checks.Add("status", $"{MeshNames.Quote(status)} is not a product status: use active, deprecated or retired.");
        }

        q = checks.Text(Blank(q), "q", RequestChecks.MaxShortTextLength);
        domain = Blank(domain) is { } d ? checks.Name(d, "domain", MeshNames.Domain) : null;
        owner = Blank(owner) is { } o ? checks.Name(o, "owner", MeshNames.Owner) : null;
        tag = Blank(tag) is { } t ? checks.Name(t, "tag", MeshNames.Tag) : null;
        return checks.Failed
            ? TypedResults.ValidationProblem(checks.Errors)
            : TypedResults.Ok((await products.SearchAsync(new ProductStore.Search(q, domain, owner, tag, statusFilter, page, pageSize), ct)).ToResponse(page, pageSize));
    }

    public static async Task<Results<Ok<DataProductResponse>, ProblemHttpResult>> GetProduct(string productId, ProductStore products, CancellationToken ct) =>
        await products.GetAsync(productId, ct) is { } product ? TypedResults.Ok(product.ToResponse()) : NotFound(productId);

    public static async Task<Results<Ok<DataProductResponse>, ValidationProblem, ProblemHttpResult>> DeprecateProduct(
        string productId, DeprecateProductRequest body, HttpContext http, ProductStore products, ProductLineageService lineage, LakehouseUsage usage,
        TimeProvider time, CancellationToken ct)
    {
        var product = http.WrittenProduct();
        var now = time.GetUtcNow();
        var checks = new RequestChecks();
        var message = checks.Required(body.Message, "message", MeshNames.MaxDescriptionLength);
        if (body.SunsetAt is null)
        {
            checks.Add("sunsetAt", "'sunsetAt' is required: when the product goes away.");
        }
        else if (body.SunsetAt <= now)
        {
            checks.Add("sunsetAt", "'sunsetAt' must be in the future, to give consumers time to move.");
        }

        if (checks.Failed || body.SunsetAt is not { } sunsetAt)
        {
            return TypedResults.ValidationProblem(checks.Errors);
        }

        return product.Status == ProductStatus.Retired
            ? TypedResults.Problem($"'{productId}' is retired already.", statusCode: StatusCodes.Status409Conflict, title: "Product retired")
            : TypedResults.Ok((await products.DeprecateAsync(productId, sunsetAt, message, await AudienceAsync(productId, lineage, usage, now, ct), now, ct)).ToResponse());
    }

    /// <remarks>
    /// The runbook's order: every grant is revoked where the data is (a request that cannot be undone stops the
    /// retirement, to be retried), then the product is marked retired; its catalog entry stays.
    /// </remarks>
    public static async Task<Results<Ok<DataProductResponse>, ProblemHttpResult>> RetireProduct(
        string productId, HttpContext http, ProductStore products, AccessService access, AccessRequestStore requests,
        EndpointStore endpoints, StoragePlane storage, TimeProvider time, CancellationToken ct)
    {
        var product = http.WrittenProduct();
        var now = time.GetUtcNow();
        if (product is { Status: not ProductStatus.Retired, Deprecation.SunsetAt: var due } && due <= now)
        {
            await access.RevokeAllAsync(product, http.User.Identity?.Name ?? "unknown", ct);
            if ((await access.LiveRequestsAsync(product.Id, ct)).FirstOrDefault(r => r.Status != AccessStatus.Pending) is { } standing)
            {
                return TypedResults.Problem(
                    $"'{productId}' is not retired: the grant of request {standing.Id} ({standing.Requester}) could not be revoked where the data is. Retire again.",
                    statusCode: StatusCodes.Status503ServiceUnavailable, title: "Grants not revoked");
            }

            // Then the data: archived, then out of service; the catalog entry stays.
            var located = await endpoints.ListAsync(productId, ct);
            var granted = (await requests.ByProductAsync(productId, 10_000, ct)).Select(r => r.Id).ToList();
            var archived = await storage.RetireAsync(product, located, granted, ct);
            if (archived.FirstOrDefault(r => r.Failed) is { } failed)
            {
                var step = failed.Steps.First(s => s.Outcome == "failed");
                return TypedResults.Problem(
                    $"'{productId}' is not retired: archiving output '{failed.Output}' failed at step '{step.Step}': {step.Detail}. Retire again.",
                    statusCode: StatusCodes.Status503ServiceUnavailable, title: "Storage not archived");
            }

            if (archived.Count > 0)
            {
                await endpoints.RemoveAllAsync(productId, archived, now, ct);
            }
        }

        return product switch
        {
            { Status: ProductStatus.Retired } => TypedResults.Ok(product.ToResponse()),
            { Deprecation: null } => TypedResults.Problem(
                $"'{productId}' is not deprecated: deprecate it with a sunset date first, so consumers are warned.",
                statusCode: StatusCodes.Status409Conflict, title: "Not deprecated"),
            { Deprecation.SunsetAt: var sunset } when sunset > now => TypedResults.Problem(
                $"'{productId}' may be retired after its sunset, {sunset:u}.", statusCode: StatusCodes.Status409Conflict, title: "Before sunset"),
            _ => TypedResults.Ok((await products.RetireAsync(productId, now, ct)).ToResponse()),
        };
    }

    /// <summary>Whom a deprecation notice names: the products built on this one, and who read it in the last 30 days.</summary>
    private static async Task<DeprecationAudience> AudienceAsync(string productId, ProductLineageService lineage, LakehouseUsage usage, DateTimeOffset now, CancellationToken ct)
    {
        var downstream = await lineage.ImpactAsync(productId, ct) ?? [];
        var read = await usage.ConsumersAsync(productId, ct);
        var recent = read.Consumers.Where(c => c.LastReadAt >= now.AddDays(-30)).Select(c => new RecentConsumer(c.Subject, c.Queries, c.LastReadAt)).ToList();
        return new DeprecationAudience(downstream, recent, read.Note);
    }

    internal static ProblemHttpResult NotFound(string productId) =>
        TypedResults.Problem($"No data product '{productId}' is registered.", statusCode: StatusCodes.Status404NotFound, title: "Unknown product");

    internal static ProblemHttpResult Forbidden(ClaimsPrincipal user, string domain) =>
        TypedResults.Problem(
            $"This token may write products of the domains [{RegistryAuthExtensions.Domains(user)}], not of '{domain}'. Ask for a token for '{domain}'.",
            statusCode: StatusCodes.Status403Forbidden, title: "Other domain");

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
