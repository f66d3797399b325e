using MeshInABox.Registry.Auth;
using MeshInABox.Registry.Infrastructure;
using MeshInABox.Registry.Products;

namespace MeshInABox.Registry.Apis;

/// <summary>
/// The prologue of every write to a registered product, in one order on every route: an unknown product is 404,
/// a product of a domain the token does not name is 403, and only then does the handler check the request (400).
/// So a caller learns first whether the product exists, then whether it may write it, whatever its body holds.
/// </summary>
public sealed class ProductWriteFilter(ProductStore products) : IEndpointFilter
{
    public const string RouteValue = "productId";

    private static readonly object ItemKey = new();

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var productId = http.Request.RouteValues[RouteValue] as string ?? "";
        var product = await products.GetAsync(productId, http.RequestAborted);
        if (product is null)
        {
            return DataProductsApi.NotFound(productId);
        }

        if (!RegistryAuthExtensions.CanWrite(http.User, product.Domain))
        {
            return DataProductsApi.Forbidden(http.User, product.Domain);
        }

        http.Items[ItemKey] = product;
        return await next(context);
    }

    /// <summary>The product the filter looked up for this request.</summary>
    /// <exception cref="InvalidOperationException">The route has no <see cref="ProductWriteRoutes.RequireProductWriter"/>.</exception>
    public static RegisteredProduct ProductOf(HttpContext http) =>
        http.Items.TryGetValue(ItemKey, out var product) && product is RegisteredProduct registered
            ? registered
            : throw new InvalidOperationException($"{http.Request.Path} reads the product it writes without {nameof(ProductWriteRoutes.RequireProductWriter)}().");
}

public static class ProductWriteRoutes
{
    /// <summary>Writes to the route's <c>{productId}</c>: 404 unknown, 403 another domain's, before the handler runs.</summary>
    public static RouteHandlerBuilder RequireProductWriter(this RouteHandlerBuilder route) => route.AddEndpointFilter<ProductWriteFilter>();

    /// <summary>The product a <see cref="RequireProductWriter"/> route writes, looked up once by its filter.</summary>
    public static RegisteredProduct WrittenProduct(this HttpContext http) => ProductWriteFilter.ProductOf(http);
}
