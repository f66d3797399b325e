-- Top 25 titles by minutes watched, from the catalogue and the viewing sessions.
WITH per_title AS (
    SELECT s.title_id,
           count(*)               AS sessions,
           sum(s.minutes_watched) AS minutes_watched
    FROM content.viewing_sessions.sessions AS s
    GROUP BY s.title_id
)
SELECT t.title_id,
       t.title,
       p.sessions,
       p.minutes_watched,
       rank() OVER (ORDER BY p.minutes_watched DESC, t.title_id) AS popularity_rank
FROM per_title AS p
JOIN content.catalogue.titles AS t ON t.title_id = p.title_id
ORDER BY popularity_rank
LIMIT 25;
