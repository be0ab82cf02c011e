-- name: daily_turns
-- description: Chat turns and conversations (sessions) per day (UTC).
-- title: Turns and conversations per day
-- order: 10
-- chart: line x=day y=turns,sessions
-- columns: day:STRING, turns:INTEGER, sessions:INTEGER
SELECT
  SUBSTR(occurred_at, 1, 10) AS day,
  COUNT(*) AS turns,
  COUNT(DISTINCT session_id) AS sessions
FROM chat_events
WHERE kind = 'turn'
GROUP BY SUBSTR(occurred_at, 1, 10)
ORDER BY day
