using MeshInABox.Lineage.Catalog;

namespace MeshInABox.Lineage.Tests;

/// <summary>The tables the corpus is bound against: two domains of products, a two-part staging table and a one-part one.</summary>
internal static class TestCatalog
{
    public static LineageCatalog Create(string? domain = "sales") => new LineageCatalog(domain)
        .Add("sales.orders.lines", Columns(("id", "BIGINT"), ("order_id", "BIGINT"), ("amount", "DOUBLE"), ("customer", "VARCHAR"), ("day", "DATE"), ("status", "VARCHAR")))
        .Add("sales.orders.customers", Columns(("id", "VARCHAR"), ("name", "VARCHAR"), ("region", "VARCHAR"), ("created", "TIMESTAMPTZ")))
        .Add("sales.orders.summary", Columns(("customer", "VARCHAR"), ("total", "DOUBLE"), ("orders", "BIGINT")))
        .Add("sales.billing.invoices", Columns(("id", "BIGINT"), ("customer", "VARCHAR"), ("amount", "DOUBLE"), ("issued", "DATE")))
        .Add("marketing.campaigns.spend", Columns(("campaign", "VARCHAR"), ("region", "VARCHAR"), ("day", "DATE"), ("cost", "DOUBLE")))
        .Add("staging.raw_orders", Columns(("id", "BIGINT"), ("payload", "VARCHAR"), ("loaded", "TIMESTAMPTZ")))
        .Add("recent", Columns(("id", "BIGINT"), ("seen", "DATE")));

    private static IEnumerable<CatalogColumn> Columns(params (string Name, string Type)[] columns) =>
        columns.Select(c => new CatalogColumn(c.Name, c.Type));
}
