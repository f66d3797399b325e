-- case: in-subquery
-- expect: {"target": null, "sources": ["sales.orders.customers", "sales.orders.lines"], "columns": {"id": ["sales.orders.lines.id"]}, "dataset": [{"source": "sales.orders.customers.id", "type": "INDIRECT", "subtype": "FILTER"}, {"source": "sales.orders.customers.region", "type": "INDIRECT", "subtype": "FILTER"}, {"source": "sales.orders.lines.customer", "type": "INDIRECT", "subtype": "FILTER"}]}
SELECT id FROM orders.lines WHERE customer IN (SELECT id FROM orders.customers WHERE region = 'eu')

-- case: scalar-subquery
-- expect: {"target": null, "sources": ["sales.billing.invoices", "sales.orders.lines"], "columns": {"id": ["sales.orders.lines.id"], "top": ["sales.billing.invoices.amount"]}, "edges": {"id": [{"source": "sales.orders.lines.id", "type": "DIRECT", "subtype": "IDENTITY"}], "top": [{"source": "sales.billing.invoices.amount", "type": "DIRECT", "subtype": "AGGREGATION"}]}}
SELECT id, (SELECT max(amount) FROM billing.invoices) AS top FROM orders.lines

-- case: derived-table
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"customer": ["sales.orders.lines.customer"], "total": ["sales.orders.lines.amount"]}}
SELECT t.customer, t.total FROM (SELECT customer, sum(amount) AS total FROM orders.lines GROUP BY customer) t WHERE t.total > 10

-- case: correlated-exists
-- expect: {"target": null, "sources": ["sales.orders.customers", "sales.orders.lines"], "columns": {"name": ["sales.orders.customers.name"]}}
SELECT name FROM orders.customers c WHERE EXISTS (SELECT 1 FROM orders.lines l WHERE l.customer = c.id)

-- case: correlated-scalar
-- expect: {"target": null, "sources": ["sales.orders.customers", "sales.orders.lines"], "columns": {"name": ["sales.orders.customers.name"], "spent": ["sales.orders.lines.amount"]}}
SELECT c.name, (SELECT sum(l.amount) FROM orders.lines l WHERE l.customer = c.id) AS spent FROM orders.customers c

-- case: compare-to-aggregate
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"id": ["sales.orders.lines.id"]}}
SELECT id FROM orders.lines WHERE amount > (SELECT avg(amount) FROM orders.lines)

-- case: in-list-value
-- expect: {"target": null, "sources": ["sales.billing.invoices", "sales.orders.lines"], "columns": {"id": ["sales.orders.lines.id"], "billed": ["sales.billing.invoices.customer", "sales.orders.lines.customer"]}}
SELECT id, customer IN (SELECT customer FROM billing.invoices) AS billed FROM orders.lines

