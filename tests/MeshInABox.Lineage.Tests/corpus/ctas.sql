-- case: ctas
-- expect: {"target": "sales.orders.big", "sources": ["sales.orders.lines"], "columns": {"id": ["sales.orders.lines.id"], "amount": ["sales.orders.lines.amount"]}, "edges": {"id": [{"source": "sales.orders.lines.id", "type": "DIRECT", "subtype": "IDENTITY"}], "amount": [{"source": "sales.orders.lines.amount", "type": "DIRECT", "subtype": "IDENTITY"}]}}
CREATE TABLE sales.orders.big AS SELECT id, amount FROM orders.lines WHERE amount > 100

-- case: ctas-or-replace-join
-- expect: {"target": "sales.orders.by_region", "sources": ["sales.orders.customers", "sales.orders.lines"], "columns": {"region": ["sales.orders.customers.region"], "total": ["sales.orders.lines.amount"]}}
CREATE OR REPLACE TABLE orders.by_region AS SELECT c.region, sum(l.amount) AS total FROM orders.lines l JOIN orders.customers c ON l.customer = c.id GROUP BY c.region

-- case: ctas-with-cte
-- expect: {"target": "report", "sources": ["sales.billing.invoices"], "columns": {"customer": ["sales.billing.invoices.customer"]}}
CREATE TABLE report AS WITH t AS (SELECT customer FROM billing.invoices) SELECT * FROM t

-- case: ctas-union
-- expect: {"target": "marketing.campaigns.regions", "sources": ["marketing.campaigns.spend", "sales.orders.customers"], "columns": {"region": ["marketing.campaigns.spend.region", "sales.orders.customers.region"]}}
CREATE TABLE marketing.campaigns.regions AS SELECT region FROM marketing.campaigns.spend UNION SELECT region FROM orders.customers

