-- name: answer_sources
-- description: Where answers came from (database, documents, general knowledge, none) per day.
SELECT
  SUBSTR(CAST(occurred_at AS VARCHAR), 1, 10) AS day,
  answer_source,
  COUNT(*) AS turns,
  ROUND(CAST(COUNT(*) AS DOUBLE) * 100 / SUM(COUNT(*)) OVER (PARTITION BY SUBSTR(CAST(occurred_at AS VARCHAR), 1, 10)), 2) AS share_pct
FROM chat_events
GROUP BY SUBSTR(CAST(occurred_at AS VARCHAR), 1, 10), answer_source
ORDER BY day, turns DESC, answer_source
