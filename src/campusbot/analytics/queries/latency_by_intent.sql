-- name: latency_by_intent
-- description: How fast answers come, per intent: median (p50), p95 and slowest turn in milliseconds.
-- title: Answer time per intent (ms)
-- order: 70
-- chart: bar x=intent y=p50_ms,p95_ms
-- columns: intent:STRING, turns:INTEGER, p50_ms:INTEGER, p95_ms:INTEGER, max_ms:INTEGER
SELECT
  COALESCE(intent, '(failed turn)') AS intent,
  COUNT(*) AS turns,
  approx_percentile(latency_ms, 0.5) AS p50_ms,
  approx_percentile(latency_ms, 0.95) AS p95_ms,
  MAX(latency_ms) AS max_ms
FROM chat_events
WHERE kind = 'turn'
GROUP BY COALESCE(intent, '(failed turn)')
ORDER BY p95_ms DESC, intent
