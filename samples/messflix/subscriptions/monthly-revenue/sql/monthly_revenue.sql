-- Monthly recurring revenue per plan: active subscribers times the plan's price.
SELECT p.plan_id,
       p.name                                          AS plan_name,
       count(s.subscriber_id)                          AS active_subscribers,
       round(count(s.subscriber_id) * p.monthly_price_eur, 2) AS monthly_revenue_eur
FROM subscriptions.plans.plans AS p
LEFT JOIN subscriptions.subscribers.subscribers AS s
       ON s.plan_id = p.plan_id AND s.active
GROUP BY p.plan_id, p.name, p.monthly_price_eur
ORDER BY p.plan_id;
