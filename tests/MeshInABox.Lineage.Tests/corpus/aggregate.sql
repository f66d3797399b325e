-- case: group-by
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"customer": ["sales.orders.lines.customer"], "total": ["sales.orders.lines.amount"]}, "edges": {"customer": [{"source": "sales.orders.lines.customer", "type": "DIRECT", "subtype": "IDENTITY"}], "total": [{"source": "sales.orders.lines.amount", "type": "DIRECT", "subtype": "AGGREGATION"}]}, "dataset": [{"source": "sales.orders.lines.customer", "type": "INDIRECT", "subtype": "GROUP_BY"}]}
SELECT customer, sum(amount) AS total FROM orders.lines GROUP BY customer

-- case: having-distinct
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"customer": ["sales.orders.lines.customer"], "orders": ["sales.orders.lines.order_id"]}}
SELECT customer, count(DISTINCT order_id) AS orders FROM orders.lines GROUP BY customer HAVING sum(amount) > 100

-- case: group-over-join
-- expect: {"target": null, "sources": ["sales.orders.customers", "sales.orders.lines"], "columns": {"region": ["sales.orders.customers.region"], "mean": ["sales.orders.lines.amount"]}}
SELECT region, avg(l.amount) AS mean FROM orders.lines l JOIN orders.customers c ON l.customer = c.id GROUP BY region

-- case: aggregate-filter
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"paid": ["sales.orders.lines.amount", "sales.orders.lines.status"]}, "edges": {"paid": [{"source": "sales.orders.lines.amount", "type": "DIRECT", "subtype": "AGGREGATION"}, {"source": "sales.orders.lines.status", "type": "INDIRECT", "subtype": "CONDITIONAL"}]}}
SELECT sum(amount) FILTER (WHERE status = 'paid') AS paid FROM orders.lines

-- case: group-by-all
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"customer": ["sales.orders.lines.customer"], "span": ["sales.orders.lines.day"]}}
SELECT customer, max(day) - min(day) AS span FROM orders.lines GROUP BY ALL

-- case: rollup
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"status": ["sales.orders.lines.status"], "n": []}}
SELECT status, count(*) AS n FROM orders.lines GROUP BY ROLLUP (status)

