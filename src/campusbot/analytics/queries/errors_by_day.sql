-- name: errors_by_day
-- description: Turns that ended in an error, per day and error message.
SELECT
  SUBSTR(CAST(occurred_at AS VARCHAR), 1, 10) AS day,
  error,
  COUNT(*) AS turns
FROM chat_events
WHERE error IS NOT NULL AND error <> ''
GROUP BY SUBSTR(CAST(occurred_at AS VARCHAR), 1, 10), error
ORDER BY day, turns DESC, error
