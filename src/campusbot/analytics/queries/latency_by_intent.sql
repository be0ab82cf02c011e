-- name: latency_by_intent
-- description: Latency per intent (average, maximum, share of turns over 3 seconds); no percentiles, which Athena and DuckDB spell differently.
SELECT
  intent,
  COUNT(*) AS turns,
  ROUND(AVG(CAST(latency_ms AS DOUBLE)), 1) AS avg_latency_ms,
  MAX(latency_ms) AS max_latency_ms,
  ROUND(CAST(SUM(CASE WHEN latency_ms > 3000 THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(*), 4) AS slow_turn_rate
FROM chat_events
GROUP BY intent
ORDER BY avg_latency_ms DESC, intent
