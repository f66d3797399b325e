using MeshInABox.Storage.Postgres;
using MeshInABox.Testing;
using Npgsql;

namespace MeshInABox.Storage.Tests.Postgres;

/// <summary>The metadata role sees a product's shape, never its rows; drift against the contract is named.</summary>
public sealed class PostgresMetadataTests(PostgresServerFixture server)
{
    [Fact]
    public async Task Metadata_ListsColumnsCommentsAndRowEstimate_ButTheMetadataRoleCannotReadARow()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bed = await PostgresBed.CreateAsync(server, nameof(PostgresMetadataTests));
        await bed.ProvisionAsync(PostgresBed.Contract(Contracts.Orders), ct);
        await bed.ExecuteAsync(
            """
            INSERT INTO sales__orders.orders (order_id, customer_email, amount, placed_at)
            SELECT i, 'c' || i || '@example.com', i, now() FROM generate_series(1, 3) i;
            ANALYZE sales__orders.orders;
            """, ct);

        var tables = await bed.Metadata.ReadAsync(PostgresBed.ProductId, ct);

        Assert.Equal(["order_lines", "orders"], tables.Select(t => t.Name));
        var orders = tables.Single(t => t.Name == "orders");
        Assert.Equal("One row per order.", orders.Comment);
        Assert.Equal(3, orders.RowEstimate);
        Assert.Null(tables.Single(t => t.Name == "order_lines").RowEstimate);
        Assert.Equal(["order_id"], orders.PrimaryKey);
        Assert.Equal(
            [
                new PostgresColumnMetadata("order_id", "bigint", true, 1, "Order identifier."),
                new PostgresColumnMetadata("customer_email", "text", true, 2, "Who ordered."),
                new PostgresColumnMetadata("margin", "numeric(10,2)", false, 3, "What the order earns."),
                new PostgresColumnMetadata("amount", "numeric(12,2)", true, 4, "Order total."),
                new PostgresColumnMetadata("status", "character varying(12)", false, 5, "Order status."),
                new PostgresColumnMetadata("placed_at", "timestamp with time zone", true, 6, null),
            ],
            orders.Columns);

        await using var metadata = await bed.SessionAsync(bed.Roles.Metadata, ct);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await PostgresBed.DeniedAsync(metadata, "SELECT order_id FROM sales__orders.orders", ct)).SqlState);
        // information_schema shows such a role nothing: that is why the catalog is read.
        Assert.Empty(await PostgresBed.RowsAsync(metadata, "SELECT column_name FROM information_schema.columns WHERE table_schema = 'sales__orders'", ct));
    }

    [Fact]
    public async Task Drift_NamesMissingAndExtraColumns_TypeAndNullabilityDifferences_AndMissingTables()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bed = await PostgresBed.CreateAsync(server, nameof(PostgresMetadataTests));
        var contract = PostgresBed.Contract(Contracts.Orders);
        await bed.Storage.ReconcileAsync(PostgresBed.Target(contract, parameters: new Dictionary<string, string> { ["tables"] = "orders" }), ct);
        var orders = contract.Object("orders")!;
        Assert.Empty(PostgresDrift.Compare(orders, await bed.Metadata.ReadTableAsync(PostgresBed.ProductId, orders, ct)));
        await bed.ExecuteAsync(
            """
            ALTER TABLE sales__orders.orders DROP COLUMN status, ADD COLUMN legacy text,
              ALTER COLUMN margin TYPE numeric(14,4), ALTER COLUMN amount DROP NOT NULL;
            """, ct);

        var findings = PostgresDrift.Compare(orders, await bed.Metadata.ReadTableAsync(PostgresBed.ProductId, orders, ct));

        Assert.Equal(
            [
                (PostgresDrift.TypeDiffers, "margin"),
                (PostgresDrift.NullabilityDiffers, "amount"),
                (PostgresDrift.MissingColumn, "status"),
                (PostgresDrift.ExtraColumn, "legacy"),
            ],
            findings.Select(f => (f.Code, f.Column!)));
        Assert.Equal("column margin is numeric(14,4) in table orders; the contract says numeric(10,2)", findings[0].Message);
        var lines = contract.Object("order_lines")!;
        var missing = Assert.Single(PostgresDrift.Compare(lines, await bed.Metadata.ReadTableAsync(PostgresBed.ProductId, lines, ct)));
        Assert.Equal(PostgresDrift.MissingTable, missing.Code);
    }
}
