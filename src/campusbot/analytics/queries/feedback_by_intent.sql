-- name: feedback_by_intent
-- description: Thumbs up and down from the chat client, by the rated turn's intent and answer source, with the share of thumbs up.
-- title: How answers are rated (thumbs up / down)
-- order: 60
-- chart: bar x=intent y=thumbs_up,thumbs_down
-- columns: intent:STRING, answer_source:STRING, ratings:INTEGER, thumbs_up:INTEGER, thumbs_down:INTEGER, thumbs_up_pct:DECIMAL
SELECT
  COALESCE(turn.intent, '(failed turn)') AS intent,
  turn.answer_source,
  COUNT(*) AS ratings,
  SUM(CASE WHEN feedback.rating > 0 THEN 1 ELSE 0 END) AS thumbs_up,
  SUM(CASE WHEN feedback.rating < 0 THEN 1 ELSE 0 END) AS thumbs_down,
  ROUND(CAST(SUM(CASE WHEN feedback.rating > 0 THEN 1 ELSE 0 END) AS DOUBLE) * 100 / COUNT(*), 1) AS thumbs_up_pct
FROM chat_events AS feedback
JOIN chat_events AS turn ON turn.event_id = feedback.rated_event_id AND turn.kind = 'turn'
WHERE feedback.kind = 'feedback'
GROUP BY COALESCE(turn.intent, '(failed turn)'), turn.answer_source
ORDER BY ratings DESC, intent, turn.answer_source
