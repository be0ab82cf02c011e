-- name: intent_distribution
-- description: What students ask: turns per intent with their share of all turns and the average NLU confidence.
-- title: What students ask (turns per intent)
-- order: 30
-- chart: bar x=intent y=turns
-- columns: intent:STRING, turns:INTEGER, share_pct:DECIMAL, avg_nlu_confidence:DECIMAL
SELECT
  COALESCE(intent, '(failed turn)') AS intent,
  COUNT(*) AS turns,
  ROUND(CAST(COUNT(*) AS DOUBLE) * 100 / SUM(COUNT(*)) OVER (), 2) AS share_pct,
  ROUND(AVG(nlu_confidence), 3) AS avg_nlu_confidence
FROM chat_events
WHERE kind = 'turn'
GROUP BY COALESCE(intent, '(failed turn)')
ORDER BY turns DESC, intent
