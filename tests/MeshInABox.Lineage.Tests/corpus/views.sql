-- case: view
-- expect: {"target": "sales.orders.paid", "sources": ["sales.orders.lines"], "columns": {"id": ["sales.orders.lines.id"], "amount": ["sales.orders.lines.amount"]}}
CREATE VIEW orders.paid AS SELECT id, amount FROM orders.lines WHERE status = 'paid'

-- case: view-column-list
-- expect: {"target": "sales.orders.named", "sources": ["sales.orders.lines"], "columns": {"line": ["sales.orders.lines.id"], "value": ["sales.orders.lines.amount"]}, "edges": {"line": [{"source": "sales.orders.lines.id", "type": "DIRECT", "subtype": "IDENTITY"}], "value": [{"source": "sales.orders.lines.amount", "type": "DIRECT", "subtype": "TRANSFORMATION"}]}}
CREATE VIEW orders.named (line, value) AS SELECT id, amount * 1.2 FROM orders.lines

-- case: view-other-domain
-- expect: {"target": "marketing.campaigns.cost_by_region", "sources": ["marketing.campaigns.spend"], "columns": {"region": ["marketing.campaigns.spend.region"], "cost": ["marketing.campaigns.spend.cost"]}}
CREATE OR REPLACE VIEW marketing.campaigns.cost_by_region AS SELECT region, sum(cost) AS cost FROM marketing.campaigns.spend GROUP BY region

-- case: view-with-cte
-- expect: {"target": "sales.orders.latest", "sources": ["recent", "sales.orders.lines"], "columns": {"id": ["recent.id"], "amount": ["sales.orders.lines.amount"]}}
CREATE VIEW orders.latest AS WITH r AS (SELECT id, seen FROM recent) SELECT r.id, l.amount FROM r JOIN orders.lines l ON l.id = r.id

