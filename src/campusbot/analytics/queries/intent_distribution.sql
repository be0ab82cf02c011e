-- name: intent_distribution
-- description: Turns per intent with their share of all turns and the average NLU confidence.
SELECT
  intent,
  COUNT(*) AS turns,
  ROUND(CAST(COUNT(*) AS DOUBLE) * 100 / SUM(COUNT(*)) OVER (), 2) AS share_pct,
  ROUND(AVG(nlu_confidence), 3) AS avg_nlu_confidence
FROM chat_events
GROUP BY intent
ORDER BY turns DESC, intent
