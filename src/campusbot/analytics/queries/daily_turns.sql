-- name: daily_turns
-- description: Chat turns, sessions and fallback rate per day (UTC).
SELECT
  SUBSTR(CAST(occurred_at AS VARCHAR), 1, 10) AS day,
  COUNT(*) AS turns,
  COUNT(DISTINCT session_id) AS sessions,
  SUM(CASE WHEN intent = 'FallbackIntent' THEN 1 ELSE 0 END) AS fallback_turns,
  ROUND(CAST(SUM(CASE WHEN intent = 'FallbackIntent' THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(*), 4) AS fallback_rate
FROM chat_events
GROUP BY SUBSTR(CAST(occurred_at AS VARCHAR), 1, 10)
ORDER BY day
