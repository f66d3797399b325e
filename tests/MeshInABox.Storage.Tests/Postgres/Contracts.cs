namespace MeshInABox.Storage.Tests.Postgres;

/// <summary>The contracts the PostgreSQL tests provision.</summary>
internal static class Contracts
{
    /// <summary>Two objects: orders (a pii column, a restricted one, typed columns) and order_lines (a composite key).</summary>
    public const string Orders = """
        apiVersion: v3.1.0
        kind: DataContract
        id: sales-orders
        name: Orders
        version: 1.0.0
        status: active
        domain: sales
        dataProduct: sales.orders
        schema:
          - name: orders
            physicalType: table
            description: One row per order.
            properties:
              - name: order_id
                logicalType: integer
                required: true
                primaryKey: true
                primaryKeyPosition: 1
                description: Order identifier.
              - name: customer_email
                logicalType: string
                required: true
                classification: pii
                description: Who ordered.
              - name: margin
                logicalType: number
                physicalType: numeric(10,2)
                classification: restricted
                description: What the order earns.
              - name: amount
                logicalType: number
                physicalType: numeric(12,2)
                required: true
                description: Order total.
              - name: status
                logicalType: string
                physicalType: varchar(12)
                description: Order status.
              - name: placed_at
                logicalType: timestamp
                required: true
          - name: order_lines
            description: The order's lines.
            properties:
              - name: line
                logicalType: integer
                primaryKey: true
                primaryKeyPosition: 2
              - name: order_id
                logicalType: integer
                primaryKey: true
                primaryKeyPosition: 1
              - name: sku
                logicalType: string
                physicalType: VARCHAR(20)
                required: true
              - name: quantity
                logicalType: integer
                physicalType: int4
                required: true
              - name: gift
                logicalType: boolean
        """;

    /// <summary>Names and descriptions written to break naive SQL: every one must arrive quoted.</summary>
    public const string Hostile = """
        apiVersion: v3.1.0
        kind: DataContract
        id: sales-hostile
        name: Hostile
        version: 1.0.0
        status: active
        schema:
          - name: 'orders"; DROP TABLE public.y; --'
            description: 'it''s a "quoted" table''); DROP TABLE public.y; --'
            properties:
              - name: 'x"; DROP TABLE public.y; --'
                logicalType: string
                required: true
                description: 'O''Brien said "hi"; DROP TABLE public.y; --'
              - name: id
                logicalType: integer
                physicalType: 'integer; DROP TABLE public.y'
                primaryKey: true
        """;
}
