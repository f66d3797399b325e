-- case: values-in-from
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"k": [], "amount": ["sales.orders.lines.amount"]}}
SELECT v.k, l.amount FROM (VALUES ('paid', 1), ('open', 2)) v(k, rank) JOIN orders.lines l ON l.status = v.k

-- case: unnest
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"id": ["sales.orders.lines.id"], "versions": ["sales.orders.lines.amount"]}}
SELECT id, unnest([amount, amount * 2]) AS versions FROM orders.lines

-- case: lateral
-- expect: {"target": null, "sources": ["sales.orders.customers", "sales.orders.lines"], "columns": {"name": ["sales.orders.customers.name"], "total": ["sales.orders.lines.amount"]}}
SELECT c.name, t.total FROM orders.customers c, LATERAL (SELECT sum(amount) AS total FROM orders.lines l WHERE l.customer = c.id) t

-- case: pivot-statement-refused
-- expect: {"target": null, "sources": [], "columns": {}, "error": "The statement does not bind: Cannot plan statement of type MULTI!"}
PIVOT orders.lines ON status USING sum(amount) GROUP BY customer

-- case: insert-on-conflict-refused
-- expect: {"target": null, "sources": [], "columns": {}, "error": "The statement does not bind: The specified columns as conflict target are not referenced by a UNIQUE/PRIMARY KEY CONSTRAINT or INDEX"}
INSERT INTO orders.summary SELECT customer, sum(amount), count(*) FROM orders.lines GROUP BY customer ON CONFLICT (customer) DO UPDATE SET total = excluded.total

-- case: struct-field
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"paid": ["sales.orders.lines.amount", "sales.orders.lines.customer"]}}
SELECT {'who': customer, 'paid': amount}.paid AS paid FROM orders.lines

-- case: string-agg-ordered
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"customer": ["sales.orders.lines.customer"], "history": ["sales.orders.lines.day", "sales.orders.lines.status"]}, "edges": {"customer": [{"source": "sales.orders.lines.customer", "type": "DIRECT", "subtype": "IDENTITY"}], "history": [{"source": "sales.orders.lines.day", "type": "INDIRECT", "subtype": "SORT"}, {"source": "sales.orders.lines.status", "type": "DIRECT", "subtype": "AGGREGATION"}]}}
SELECT customer, string_agg(status, ',' ORDER BY day) AS history FROM orders.lines GROUP BY customer
