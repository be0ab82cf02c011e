-- name: unanswered_rate
-- description: Per day, the share of turns no intent matched (fallback) and of answers that were "I don't know" (no document, no general answer).
-- title: Fallback and "I don't know" rate per day
-- order: 20
-- chart: line x=day y=fallback_rate,dont_know_rate
-- columns: day:STRING, turns:INTEGER, fallback_turns:INTEGER, fallback_rate:DECIMAL, dont_know_turns:INTEGER, dont_know_rate:DECIMAL
SELECT
  SUBSTR(occurred_at, 1, 10) AS day,
  COUNT(*) AS turns,
  SUM(CASE WHEN intent = 'FallbackIntent' THEN 1 ELSE 0 END) AS fallback_turns,
  ROUND(CAST(SUM(CASE WHEN intent = 'FallbackIntent' THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(*), 4) AS fallback_rate,
  SUM(CASE WHEN intent = 'FallbackIntent' AND state = 'Fulfilled' AND answer_source = 'none' THEN 1 ELSE 0 END) AS dont_know_turns,
  ROUND(CAST(SUM(CASE WHEN intent = 'FallbackIntent' AND state = 'Fulfilled' AND answer_source = 'none' THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(*), 4) AS dont_know_rate
FROM chat_events
WHERE kind = 'turn'
GROUP BY SUBSTR(occurred_at, 1, 10)
ORDER BY day
