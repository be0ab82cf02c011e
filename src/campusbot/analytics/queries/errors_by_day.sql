-- name: errors_by_day
-- description: Turns that ended in an error (the assistant busy, failing or too slow), per day and error.
-- title: Failed turns per day
-- order: 80
-- chart: stacked x=day y=turns color=error
-- columns: day:STRING, error:STRING, turns:INTEGER
SELECT
  SUBSTR(occurred_at, 1, 10) AS day,
  error,
  COUNT(*) AS turns
FROM chat_events
WHERE kind = 'turn' AND error IS NOT NULL AND error <> ''
GROUP BY SUBSTR(occurred_at, 1, 10), error
ORDER BY day, turns DESC, error
