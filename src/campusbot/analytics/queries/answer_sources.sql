-- name: answer_sources
-- description: Where answers came from (database, documents, general knowledge, none) per day, over the turns that ended with an answer.
-- title: Where answers come from
-- order: 40
-- chart: stacked x=day y=answers color=answer_source
-- columns: day:STRING, answer_source:STRING, answers:INTEGER, share_pct:DECIMAL
SELECT
  SUBSTR(occurred_at, 1, 10) AS day,
  answer_source,
  COUNT(*) AS answers,
  ROUND(CAST(COUNT(*) AS DOUBLE) * 100 / SUM(COUNT(*)) OVER (PARTITION BY SUBSTR(occurred_at, 1, 10)), 2) AS share_pct
FROM chat_events
WHERE kind = 'turn' AND state = 'Fulfilled'
GROUP BY SUBSTR(occurred_at, 1, 10), answer_source
ORDER BY day, answers DESC, answer_source
