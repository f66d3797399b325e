-- Campaign results for advertiser reports.
SELECT i.campaign_id,
       count(*)                                         AS impressions,
       count(*) FILTER (WHERE i.clicked)                AS clicks,
       round(count(*) FILTER (WHERE i.clicked) / count(*)::double, 4) AS click_through_rate,
       round(sum(i.cost_eur), 2)                        AS spend_eur
FROM advertising.ad_impressions.impressions AS i
GROUP BY i.campaign_id
ORDER BY i.campaign_id;
