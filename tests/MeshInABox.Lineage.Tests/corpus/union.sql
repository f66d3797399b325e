-- case: union-all
-- expect: {"target": null, "sources": ["sales.billing.invoices", "sales.orders.lines"], "columns": {"id": ["sales.billing.invoices.id", "sales.orders.lines.id"]}, "edges": {"id": [{"source": "sales.billing.invoices.id", "type": "DIRECT", "subtype": "IDENTITY"}, {"source": "sales.orders.lines.id", "type": "DIRECT", "subtype": "IDENTITY"}]}}
SELECT id FROM orders.lines UNION ALL SELECT id FROM billing.invoices

-- case: union-distinct
-- expect: {"target": null, "sources": ["sales.orders.customers", "sales.orders.lines"], "columns": {"who": ["sales.orders.customers.name", "sales.orders.lines.customer"]}}
SELECT customer AS who FROM orders.lines UNION SELECT name FROM orders.customers

-- case: except
-- expect: {"target": null, "sources": ["sales.orders.customers", "sales.orders.lines"], "columns": {"customer": ["sales.orders.lines.customer"]}, "dataset": [{"source": "sales.orders.customers.id", "type": "INDIRECT", "subtype": "FILTER"}]}
SELECT customer FROM orders.lines EXCEPT SELECT id FROM orders.customers

-- case: intersect
-- expect: {"target": null, "sources": ["sales.billing.invoices", "sales.orders.lines"], "columns": {"customer": ["sales.orders.lines.customer"]}}
SELECT customer FROM orders.lines INTERSECT SELECT customer FROM billing.invoices

-- case: union-with-null
-- expect: {"target": null, "sources": ["sales.billing.invoices", "sales.orders.lines"], "columns": {"id": ["sales.billing.invoices.id", "sales.orders.lines.id"], "amount": ["sales.orders.lines.amount"]}}
SELECT id, amount FROM orders.lines UNION ALL SELECT id, NULL FROM billing.invoices

-- case: union-by-name
-- expect: {"target": null, "sources": ["sales.billing.invoices", "sales.orders.lines"], "columns": {"id": ["sales.billing.invoices.id", "sales.orders.lines.id"], "amount": ["sales.billing.invoices.amount", "sales.orders.lines.amount"]}}
SELECT id, amount FROM orders.lines UNION ALL BY NAME SELECT amount, id FROM billing.invoices

