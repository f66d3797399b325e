-- case: insert-select
-- expect: {"target": "sales.orders.summary", "sources": ["sales.orders.lines"], "columns": {"customer": ["sales.orders.lines.customer"], "total": ["sales.orders.lines.amount"], "orders": []}}
INSERT INTO orders.summary SELECT customer, sum(amount), count(*) FROM orders.lines GROUP BY customer

-- case: insert-column-list
-- expect: {"target": "sales.orders.summary", "sources": ["sales.orders.lines"], "columns": {"customer": ["sales.orders.lines.customer"], "total": ["sales.orders.lines.amount"], "orders": []}, "edges": {"customer": [{"source": "sales.orders.lines.customer", "type": "DIRECT", "subtype": "IDENTITY"}], "total": [{"source": "sales.orders.lines.amount", "type": "DIRECT", "subtype": "AGGREGATION"}], "orders": []}}
INSERT INTO orders.summary (total, customer) SELECT sum(amount), customer FROM orders.lines GROUP BY customer

-- case: insert-values
-- expect: {"target": "sales.orders.summary", "sources": [], "columns": {"customer": [], "total": [], "orders": []}}
INSERT INTO orders.summary VALUES ('x', 1, 2)

-- case: insert-qualified-target
-- expect: {"target": "sales.orders.summary", "sources": ["sales.billing.invoices"], "columns": {"customer": ["sales.billing.invoices.customer"], "total": ["sales.billing.invoices.amount"], "orders": []}}
INSERT INTO sales.orders.summary (customer, total) SELECT customer, amount FROM billing.invoices

-- case: insert-reads-target
-- expect: {"target": "sales.orders.summary", "sources": ["sales.orders.summary"], "columns": {"customer": ["sales.orders.summary.customer"], "total": ["sales.orders.summary.total"], "orders": ["sales.orders.summary.orders"]}}
INSERT INTO orders.summary SELECT customer, total, orders FROM orders.summary

-- case: insert-one-part-target
-- expect: {"target": "recent", "sources": ["sales.orders.lines"], "columns": {"id": ["sales.orders.lines.id"], "seen": ["sales.orders.lines.day"]}}
INSERT INTO recent SELECT id, day FROM orders.lines

-- case: insert-with-cte
-- expect: {"target": "sales.orders.summary", "sources": ["sales.orders.lines"], "columns": {"customer": ["sales.orders.lines.customer"], "total": [], "orders": []}}
INSERT INTO orders.summary (customer, orders) WITH t AS (SELECT customer, count(*) AS n FROM orders.lines GROUP BY customer) SELECT customer, n FROM t

