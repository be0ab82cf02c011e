-- name: errors_by_day
-- description: Turns that ended in an error, per day and error message.
SELECT
  SUBSTR(occurred_at, 1, 10) AS day,
  error,
  COUNT(*) AS turns
FROM chat_events
WHERE error IS NOT NULL AND error <> ''
GROUP BY SUBSTR(occurred_at, 1, 10), error
ORDER BY day, turns DESC, error
