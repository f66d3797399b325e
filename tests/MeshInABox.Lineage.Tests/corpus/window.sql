-- case: row-number
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"id": ["sales.orders.lines.id"], "rn": ["sales.orders.lines.customer", "sales.orders.lines.day"]}, "edges": {"id": [{"source": "sales.orders.lines.id", "type": "DIRECT", "subtype": "IDENTITY"}], "rn": [{"source": "sales.orders.lines.customer", "type": "INDIRECT", "subtype": "WINDOW"}, {"source": "sales.orders.lines.day", "type": "INDIRECT", "subtype": "WINDOW"}]}}
SELECT id, row_number() OVER (PARTITION BY customer ORDER BY day) AS rn FROM orders.lines

-- case: window-sum
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"id": ["sales.orders.lines.id"], "customer_total": ["sales.orders.lines.amount", "sales.orders.lines.customer"]}, "edges": {"id": [{"source": "sales.orders.lines.id", "type": "DIRECT", "subtype": "IDENTITY"}], "customer_total": [{"source": "sales.orders.lines.amount", "type": "DIRECT", "subtype": "AGGREGATION"}, {"source": "sales.orders.lines.customer", "type": "INDIRECT", "subtype": "WINDOW"}]}}
SELECT id, sum(amount) OVER (PARTITION BY customer) AS customer_total FROM orders.lines

-- case: lag
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"id": ["sales.orders.lines.id"], "previous": ["sales.orders.lines.amount", "sales.orders.lines.day"]}, "edges": {"id": [{"source": "sales.orders.lines.id", "type": "DIRECT", "subtype": "IDENTITY"}], "previous": [{"source": "sales.orders.lines.amount", "type": "DIRECT", "subtype": "TRANSFORMATION"}, {"source": "sales.orders.lines.day", "type": "INDIRECT", "subtype": "WINDOW"}]}}
SELECT id, lag(amount) OVER (ORDER BY day) AS previous FROM orders.lines

-- case: rank-over-aggregate
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"customer": ["sales.orders.lines.customer"], "position": ["sales.orders.lines.amount"]}}
SELECT customer, rank() OVER (ORDER BY sum(amount) DESC) AS position FROM orders.lines GROUP BY customer

-- case: qualify
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"id": ["sales.orders.lines.id"]}, "dataset": [{"source": "sales.orders.lines.customer", "type": "INDIRECT", "subtype": "FILTER"}, {"source": "sales.orders.lines.day", "type": "INDIRECT", "subtype": "FILTER"}]}
SELECT id FROM orders.lines QUALIFY row_number() OVER (PARTITION BY customer ORDER BY day DESC) = 1

-- case: named-window
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"id": ["sales.orders.lines.id"], "moving": ["sales.orders.lines.amount", "sales.orders.lines.customer", "sales.orders.lines.day"]}}
SELECT id, avg(amount) OVER w AS moving FROM orders.lines WINDOW w AS (PARTITION BY customer ORDER BY day ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)

