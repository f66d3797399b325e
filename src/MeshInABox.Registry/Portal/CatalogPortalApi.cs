using System.Text;
using MeshInABox.Domain.Contracts;
using MeshInABox.Domain.Documents;
using MeshInABox.Registry.Access;
using MeshInABox.Registry.Auth;
using MeshInABox.Registry.Infrastructure;
using MeshInABox.Registry.Portal.Components;
using MeshInABox.Registry.Publishing;
using MeshInABox.Registry.Storage;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace MeshInABox.Registry.Portal;

/// <summary>
/// The catalog portal: pages rendered on the server (Razor components through <see cref="RazorComponentResult"/>), with
/// htmx for results as you type, graph expansion and column paths, each an HTML fragment from its own route.
/// </summary>
public static class CatalogPortalApi
{
    /// <summary>Only this origin's files run or style the pages; htmx is told not to inject styles or evaluate script text.</summary>
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static IServiceCollection AddCatalogPortal(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRazorComponents();
        services.AddPortalSession();
        services.AddSingleton(CatalogMode.From(configuration));
        services.AddSingleton<CatalogStore>();
        services.AddSingleton<CatalogLineageAccess>();
        services.AddSingleton<LakehouseUsage>();
        services.AddHttpClient(LakehouseUsage.ClientName, client => client.Timeout = TimeSpan.FromSeconds(5));
        return services;
    }

    public static IEndpointRouteBuilder MapCatalogPortal(this IEndpointRouteBuilder app)
    {
        app.MapGet("/catalog/assets/{name}", GetAsset).WithName(nameof(GetAsset)).ExcludeFromDescription().AllowAnonymous();

        var portal = app.MapGroup("/catalog").ExcludeFromDescription()
            .RequireAuthorization(RegistryAuthExtensions.ReadPolicy)
            .AddEndpointFilter(async (context, next) =>
            {
                var headers = context.HttpContext.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "same-origin";
                return await next(context);
            });
        portal.MapGet("", GetHome).WithName(nameof(GetHome));
        portal.MapGet("/search", GetSearch).WithName(nameof(GetSearch));
        portal.MapGet("/domains/{domain}", GetDomain).WithName(nameof(GetDomain));
        portal.MapGet("/products/{productId}", GetProductPage).WithName(nameof(GetProductPage));
        portal.MapGet("/products/{productId}/graph", GetGraph).WithName(nameof(GetGraph));
        portal.MapGet("/products/{productId}/column-path", GetColumnPath).WithName(nameof(GetColumnPath));
        portal.MapGet("/products/{productId}/impact.csv", GetImpactCsv).WithName(nameof(GetImpactCsv));
        portal.MapGet("/products/{productId}/contract", GetContract).WithName(nameof(GetContract));
        portal.MapCatalogAccess();
        return app;
    }

    public static Results<FileContentHttpResult, NotFound> GetAsset(string name, HttpContext http)
    {
        if (!PortalAssets.All.TryGetValue(name, out var asset))
        {
            return TypedResults.NotFound();
        }

        // Pinned content under a fixed name: a day is short enough to pick up an upgrade and long enough to spare a laptop.
        http.Response.Headers.CacheControl = "public, max-age=86400";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        return TypedResults.File(asset.Content, asset.ContentType);
    }

    public static async Task<IResult> GetHome([AsParameters] CatalogServices services, CancellationToken ct, string? q = null)
    {
        if (!services.Mode.Full)
        {
            return Page<ListingPage>(new { Mode = services.Mode, Products = await services.Catalog.ProductsAsync(null, ct) });
        }

        q = Blank(q);
        if (q is { Length: > CatalogStore.MaxQueryLength })
        {
            return TooLong(services.Mode);
        }

        var hits = q is null ? null : await services.Catalog.SearchAsync(q, ct);
        return Page<HomePage>(new { Mode = services.Mode, Query = q, Hits = hits, Domains = await services.Catalog.DomainsAsync(ct) });
    }

    public static async Task<IResult> GetSearch([AsParameters] CatalogServices services, CancellationToken ct, string? q = null)
    {
        if (!services.Mode.Full)
        {
            return NotInProfile(services.Mode);
        }

        q = Blank(q);
        if (q is { Length: > CatalogStore.MaxQueryLength })
        {
            return new RazorComponentResult<SearchResults>(new { Query = q, Hits = (IReadOnlyList<CatalogStore.Hit>?)null, Error = TooLongMessage })
            {
                StatusCode = StatusCodes.Status400BadRequest,
            };
        }

        return new RazorComponentResult<SearchResults>(new { Query = q, Hits = q is null ? null : await services.Catalog.SearchAsync(q, ct) });
    }

    public static async Task<IResult> GetDomain(string domain, [AsParameters] CatalogServices services, CancellationToken ct)
    {
        if (!services.Mode.Full)
        {
            return NotInProfile(services.Mode);
        }

        var products = await services.Catalog.ProductsAsync(domain, ct);
        return products.Count == 0
            ? NotFound(services.Mode, $"No data product belongs to a domain called '{domain}'.")
            : Page<DomainPage>(new { Mode = services.Mode, Domain = domain, Products = products });
    }

    public static async Task<IResult> GetProductPage(
        string productId, [AsParameters] CatalogServices services, HttpContext http, IAntiforgery antiforgery, AccessRequestStore requests, ProductStorage storage,
        CancellationToken ct, int depth = 1)
    {
        if (!services.Mode.Full)
        {
            return NotInProfile(services.Mode);
        }

        if (await services.Products.GetAsync(productId, ct) is not { } product)
        {
            return NotFound(services.Mode, $"No data product has the id '{productId}'.");
        }

        var versions = await services.Versions.ListAsync(productId, ct);
        var current = product.LatestVersion is { } latest ? versions.LastOrDefault(v => v.Version == latest && v.Status == VersionStatus.Active) : null;
        var (contract, contractError) = Read(current);
        var pictures = services.Lineage.Pictures;
        var view = new ProductView(
            product,
            versions,
            current,
            contract,
            contractError,
            ProductView.SchemasOf(current, contract),
            await services.Endpoints.ListAsync(productId, ct),
            await services.Usage.ConsumersAsync(productId, ct),
            pictures is null ? null : await pictures.ProductAsync(productId, depth, [], ct),
            services.Lineage.Lineage is { } lineage ? await lineage.ImpactAsync(productId, ct) : null,
            pictures is not null);
        var user = await PortalSession.UserAsync(http);
        var access = new ProductAccessView(
            user, CatalogAccessApi.FormFor(http, antiforgery), user.Subject is { } subject ? await requests.LiveAsync(productId, subject, ct) : null);
        return Page<ProductPage>(new { Mode = services.Mode, View = view, Access = access, Storage = await storage.ReadAsync(product, ct) });
    }

    public static async Task<IResult> GetGraph(
        string productId, [AsParameters] CatalogServices services, CancellationToken ct, int depth = 1, [FromQuery] string[]? expand = null)
    {
        if (!services.Mode.Full || services.Lineage.Pictures is not { } pictures)
        {
            return NotInProfile(services.Mode);
        }

        return await pictures.ProductAsync(productId, depth, expand ?? [], ct) is { } picture
            ? new RazorComponentResult<LineageGraphView>(new { Picture = picture })
            : NotFound(services.Mode, $"No data product has the id '{productId}'.");
    }

    public static async Task<IResult> GetColumnPath(
        string productId, [AsParameters] CatalogServices services, CancellationToken ct, string? output = null, string? column = null)
    {
        if (!services.Mode.Full || services.Lineage.Pictures is not { } pictures)
        {
            return NotInProfile(services.Mode);
        }

        if (Blank(output) is not { Length: <= CatalogStore.MaxQueryLength * 2 } o || Blank(column) is not { Length: <= CatalogStore.MaxQueryLength * 2 } c)
        {
            return new RazorComponentResult<MessagePage>(new { Mode = services.Mode, Title = "Bad request", Message = "A column path needs an output and a column (at most 200 characters each)." })
            {
                StatusCode = StatusCodes.Status400BadRequest,
            };
        }

        return await pictures.ColumnAsync(productId, o, c, ct) is { } picture
            ? new RazorComponentResult<ColumnPathView>(new { Picture = picture })
            : NotFound(services.Mode, $"No data product has the id '{productId}'.");
    }

    public static async Task<IResult> GetImpactCsv(string productId, [AsParameters] CatalogServices services, CancellationToken ct)
    {
        if (!services.Mode.Full || services.Lineage.Lineage is not { } lineage)
        {
            return NotInProfile(services.Mode);
        }

        if (await lineage.ImpactAsync(productId, ct) is not { } impacted)
        {
            return NotFound(services.Mode, $"No data product has the id '{productId}'.");
        }

        var name = new string([.. productId.Select(ch => char.IsAsciiLetterOrDigit(ch) || ch is '.' or '-' or '_' ? ch : '_')]);
        return TypedResults.File(Encoding.UTF8.GetBytes(ImpactCsv.Write(impacted)), "text/csv; charset=utf-8", $"{name}-impact.csv");
    }

    /// <summary>A version's contract as stored (YAML), shown as plain text: the iteration-0 listing links here.</summary>
    public static async Task<IResult> GetContract(string productId, [AsParameters] CatalogServices services, CancellationToken ct, string? version = null)
    {
        if (await services.Products.GetAsync(productId, ct) is not { } product
            || (Blank(version) ?? product.LatestVersion) is not { Length: <= 100 } wanted
            || await services.Versions.GetAsync(productId, wanted, ct) is not { Status: VersionStatus.Active } found)
        {
            return NotFound(services.Mode, $"No active contract of '{productId}'{(version is null ? "" : $" at version '{version}'")}.");
        }

        return TypedResults.Text(found.Contract, "text/plain; charset=utf-8");
    }

    private static (DataContract?, string?) Read(PublishedVersion? current)
    {
        if (current is null)
        {
            return (null, null);
        }

        try
        {
            return (ContractReader.Read(current.Contract, $"{current.ProductId}@{current.Version}").Contract, null);
        }
        catch (DocumentParseException error)
        {
            return (null, error.Message);
        }
    }

    private const string TooLongMessage = "Search text is at most 100 characters.";

    private static RazorComponentResult<T> Page<T>(object parameters)
        where T : Microsoft.AspNetCore.Components.IComponent => new(parameters);

    private static RazorComponentResult<MessagePage> TooLong(CatalogMode mode) =>
        new(new { Mode = mode, Title = "Search text too long", Message = TooLongMessage }) { StatusCode = StatusCodes.Status400BadRequest };

    private static RazorComponentResult<MessagePage> NotFound(CatalogMode mode, string message) =>
        new(new { Mode = mode, Title = "Not found", Message = message }) { StatusCode = StatusCodes.Status404NotFound };

    private static RazorComponentResult<MessagePage> NotInProfile(CatalogMode mode) =>
        new(new { Mode = mode, Title = "Not in this profile", Message = $"The {mode.Profile?.Name} profile has the plain listing only; the full catalog comes with iteration-1." })
        {
            StatusCode = StatusCodes.Status404NotFound,
        };

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>What every portal route reads from.</summary>
public sealed record CatalogServices(
    CatalogMode Mode, CatalogStore Catalog, ProductStore Products, VersionStore Versions, EndpointStore Endpoints, LakehouseUsage Usage, CatalogLineageAccess Lineage);

/// <summary>Lineage when the registry computes it; the portal says so when it does not.</summary>
public sealed class CatalogLineageAccess(IServiceProvider services)
{
    public ICatalogLineage? Lineage { get; } = services.GetService<ICatalogLineage>();

    public LineagePictures? Pictures => Lineage is null ? null : new LineagePictures(Lineage);
}
