-- case: columns
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"id": ["sales.orders.lines.id"], "amount": ["sales.orders.lines.amount"]}, "edges": {"id": [{"source": "sales.orders.lines.id", "type": "DIRECT", "subtype": "IDENTITY"}], "amount": [{"source": "sales.orders.lines.amount", "type": "DIRECT", "subtype": "IDENTITY"}]}}
SELECT id, amount FROM orders.lines

-- case: aliases-and-arithmetic
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"line": ["sales.orders.lines.id"], "doubled": ["sales.orders.lines.amount"]}}
SELECT l.id AS line, l.amount * 2 AS doubled FROM sales.orders.lines AS l

-- case: star
-- expect: {"target": null, "sources": ["sales.orders.customers"], "columns": {"id": ["sales.orders.customers.id"], "name": ["sales.orders.customers.name"], "region": ["sales.orders.customers.region"], "created": ["sales.orders.customers.created"]}}
SELECT * FROM orders.customers

-- case: qualified-star
-- expect: {"target": null, "sources": ["sales.orders.customers"], "columns": {"id": ["sales.orders.customers.id"], "name": ["sales.orders.customers.name"], "region": ["sales.orders.customers.region"], "created": ["sales.orders.customers.created"]}}
SELECT c.* FROM orders.customers c

-- case: cast-and-coalesce
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"whole": ["sales.orders.lines.amount"], "state": ["sales.orders.lines.status"]}, "edges": {"whole": [{"source": "sales.orders.lines.amount", "type": "DIRECT", "subtype": "TRANSFORMATION"}], "state": [{"source": "sales.orders.lines.status", "type": "DIRECT", "subtype": "TRANSFORMATION"}]}}
SELECT CAST(amount AS INTEGER) AS whole, COALESCE(status, 'open') AS state FROM orders.lines

-- case: constants
-- expect: {"target": null, "sources": [], "columns": {"one": [], "letter": []}}
SELECT 1 AS one, 'x' AS letter

-- case: functions
-- expect: {"target": null, "sources": ["sales.orders.customers"], "columns": {"label": ["sales.orders.customers.name", "sales.orders.customers.region"]}}
SELECT upper(name) || '-' || region AS label FROM orders.customers

-- case: distinct
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"customer": ["sales.orders.lines.customer"]}}
SELECT DISTINCT customer FROM orders.lines

-- case: where
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"id": ["sales.orders.lines.id"]}, "dataset": [{"source": "sales.orders.lines.amount", "type": "INDIRECT", "subtype": "FILTER"}, {"source": "sales.orders.lines.status", "type": "INDIRECT", "subtype": "FILTER"}]}
SELECT id FROM orders.lines WHERE amount > 10 AND status = 'paid'

-- case: order-limit
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"id": ["sales.orders.lines.id"], "amount": ["sales.orders.lines.amount"]}, "dataset": [{"source": "sales.orders.lines.day", "type": "INDIRECT", "subtype": "SORT"}]}
SELECT id, amount FROM orders.lines ORDER BY day DESC LIMIT 10 OFFSET 2

-- case: case-condition
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"size": ["sales.orders.lines.amount"]}, "edges": {"size": [{"source": "sales.orders.lines.amount", "type": "INDIRECT", "subtype": "CONDITIONAL"}]}}
SELECT CASE WHEN amount > 100 THEN 'big' ELSE 'small' END AS size FROM orders.lines

-- case: simple-case
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"paid": ["sales.orders.lines.amount", "sales.orders.lines.status"]}, "edges": {"paid": [{"source": "sales.orders.lines.amount", "type": "DIRECT", "subtype": "TRANSFORMATION"}, {"source": "sales.orders.lines.status", "type": "INDIRECT", "subtype": "CONDITIONAL"}]}}
SELECT CASE status WHEN 'paid' THEN amount ELSE 0 END AS paid FROM orders.lines

-- case: quoted-names
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"id": ["sales.orders.lines.id"]}}
SELECT "id" FROM "sales"."orders"."lines"

-- case: upper-case-names
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"id": ["sales.orders.lines.id"]}}
SELECT LINES.ID FROM ORDERS.LINES

-- case: one-part-table
-- expect: {"target": null, "sources": ["recent"], "columns": {"id": ["recent.id"], "seen": ["recent.seen"]}}
SELECT id, seen FROM recent

-- case: two-part-table
-- expect: {"target": null, "sources": ["staging.raw_orders"], "columns": {"payload": ["staging.raw_orders.payload"]}}
SELECT payload FROM staging.raw_orders

-- case: other-domain
-- expect: {"target": null, "sources": ["marketing.campaigns.spend"], "columns": {"cost": ["marketing.campaigns.spend.cost"]}}
SELECT cost FROM marketing.campaigns.spend

-- case: star-exclude
-- expect: {"target": null, "sources": ["staging.raw_orders"], "columns": {"id": ["staging.raw_orders.id"], "loaded": ["staging.raw_orders.loaded"]}}
SELECT * EXCLUDE (payload) FROM staging.raw_orders

-- case: same-column-twice
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"a": ["sales.orders.lines.amount"], "b": ["sales.orders.lines.amount"]}}
SELECT amount AS a, amount AS b FROM orders.lines

-- case: count-star
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"n": []}}
SELECT count(*) AS n FROM orders.lines

-- case: unaliased-expression
-- expect: {"target": null, "sources": ["sales.orders.lines"], "columns": {"(amount + 1)": ["sales.orders.lines.amount"], "lower(status)": ["sales.orders.lines.status"]}}
SELECT amount + 1, lower(status) FROM orders.lines

