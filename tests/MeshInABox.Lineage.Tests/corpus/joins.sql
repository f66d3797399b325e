-- case: inner-join
-- expect: {"target": null, "sources": ["sales.orders.customers", "sales.orders.lines"], "columns": {"id": ["sales.orders.lines.id"], "name": ["sales.orders.customers.name"]}, "dataset": [{"source": "sales.orders.customers.id", "type": "INDIRECT", "subtype": "JOIN"}, {"source": "sales.orders.lines.customer", "type": "INDIRECT", "subtype": "JOIN"}]}
SELECT l.id, c.name FROM orders.lines l JOIN orders.customers c ON l.customer = c.id

-- case: left-join
-- expect: {"target": null, "sources": ["sales.orders.customers", "sales.orders.lines"], "columns": {"id": ["sales.orders.lines.id"], "name": ["sales.orders.customers.name"]}}
SELECT l.id, c.name FROM orders.lines l LEFT JOIN orders.customers c ON l.customer = c.id

-- case: join-across-products
-- expect: {"target": null, "sources": ["sales.billing.invoices", "sales.orders.customers"], "columns": {"name": ["sales.orders.customers.name"], "amount": ["sales.billing.invoices.amount"]}}
SELECT c.name, i.amount FROM orders.customers c JOIN billing.invoices i ON c.id = i.customer

-- case: star-over-join
-- expect: {"target": null, "sources": ["sales.billing.invoices", "sales.orders.customers"], "columns": {"id": ["sales.orders.customers.id"], "name": ["sales.orders.customers.name"], "region": ["sales.orders.customers.region"], "created": ["sales.orders.customers.created"], "customer": ["sales.billing.invoices.customer"], "amount": ["sales.billing.invoices.amount"], "issued": ["sales.billing.invoices.issued"]}}
SELECT * FROM orders.customers c JOIN billing.invoices i ON c.id = i.customer

-- case: self-cross-join
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"id": ["sales.orders.lines.id"], "other": ["sales.orders.lines.id"]}}
SELECT a.id, b.id AS other FROM orders.lines a CROSS JOIN orders.lines b

-- case: comma-join
-- expect: {"target": null, "sources": ["sales.orders.customers", "sales.orders.lines"], "columns": {"id": ["sales.orders.lines.id"]}}
SELECT l.id FROM orders.lines l, orders.customers c WHERE l.customer = c.id AND c.region = 'eu'

-- case: full-join-across-domains
-- expect: {"target": null, "sources": ["marketing.campaigns.spend", "sales.orders.customers"], "columns": {"name": ["sales.orders.customers.name"], "cost": ["marketing.campaigns.spend.cost"]}}
SELECT c.name, s.cost FROM orders.customers c FULL OUTER JOIN marketing.campaigns.spend s ON c.region = s.region

-- case: semi-join
-- expect: {"target": null, "sources": ["sales.orders.customers", "sales.orders.lines"], "columns": {"id": ["sales.orders.lines.id"]}, "dataset": [{"source": "sales.orders.customers.id", "type": "INDIRECT", "subtype": "FILTER"}, {"source": "sales.orders.lines.customer", "type": "INDIRECT", "subtype": "FILTER"}]}
SELECT l.id FROM orders.lines l SEMI JOIN orders.customers c ON l.customer = c.id

-- case: three-way-join
-- expect: {"target": null, "sources": ["sales.billing.invoices", "sales.orders.customers", "sales.orders.lines"], "columns": {"name": ["sales.orders.customers.name"], "amount": ["sales.orders.lines.amount"], "issued": ["sales.billing.invoices.issued"]}}
SELECT c.name, l.amount, i.issued FROM orders.lines l JOIN orders.customers c ON l.customer = c.id JOIN billing.invoices i ON i.id = l.order_id

-- case: using-join
-- expect: {"target": null, "sources": ["sales.billing.invoices", "sales.orders.lines"], "columns": {"customer": ["sales.orders.lines.customer"], "amount": ["sales.orders.lines.amount"], "billed": ["sales.billing.invoices.amount"]}}
SELECT customer, l.amount, i.amount AS billed FROM orders.lines l JOIN billing.invoices i USING (customer)

