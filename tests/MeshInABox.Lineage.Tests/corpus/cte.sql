-- case: cte
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"customer": ["sales.orders.lines.customer"], "amount": ["sales.orders.lines.amount"]}}
WITH paid AS (SELECT * FROM orders.lines WHERE status = 'paid') SELECT customer, amount FROM paid

-- case: chained-ctes
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"customer": ["sales.orders.lines.customer"], "total": ["sales.orders.lines.amount"]}}
WITH a AS (SELECT customer, amount FROM orders.lines), b AS (SELECT customer, sum(amount) AS total FROM a GROUP BY customer) SELECT * FROM b

-- case: cte-shadows-table
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"id": ["sales.orders.lines.id"], "seen": ["sales.orders.lines.day"]}}
WITH recent AS (SELECT id, day AS seen FROM orders.lines) SELECT id, seen FROM recent

-- case: table-outside-cte-scope
-- expect: {"target": null, "sources": ["recent", "sales.orders.lines"], "columns": {"id": ["sales.orders.lines.id"], "seen": ["recent.seen"]}}
SELECT r.id, x.seen FROM (WITH recent AS (SELECT id FROM orders.lines) SELECT id FROM recent) r JOIN recent x ON r.id = x.id

-- case: recursive-cte
-- expect: {"target": null, "sources": [], "columns": {"i": []}}
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) SELECT i FROM n

-- case: materialized-cte-union
-- expect: {"target": null, "sources": ["recent", "sales.orders.lines"], "columns": {"id": ["recent.id", "sales.orders.lines.id"]}}
WITH x AS MATERIALIZED (SELECT id FROM orders.lines) SELECT id FROM x UNION SELECT id FROM recent

-- case: cte-used-twice
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"customer": ["sales.orders.lines.customer"], "amount": ["sales.orders.lines.amount"]}}
WITH t AS (SELECT customer, amount FROM orders.lines) SELECT a.customer, b.amount FROM t a JOIN t b ON a.customer = b.customer

-- case: cte-column-aliases
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"who": ["sales.orders.lines.customer"], "how_much": ["sales.orders.lines.amount"]}}
WITH t(who, how_much) AS (SELECT customer, amount FROM orders.lines) SELECT who, how_much FROM t

