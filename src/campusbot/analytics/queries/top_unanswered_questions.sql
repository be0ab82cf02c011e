-- name: top_unanswered_questions
-- description: The content team's to-do list: questions no campus document or record answered (normalized), by how often they were asked.
-- title: Top unanswered questions
-- order: 50
-- chart: table
-- columns: question:STRING, times_asked:INTEGER, answered_from_general_knowledge:INTEGER, last_asked:STRING
SELECT
  question,
  COUNT(*) AS times_asked,
  SUM(CASE WHEN answer_source = 'general' THEN 1 ELSE 0 END) AS answered_from_general_knowledge,
  MAX(SUBSTR(occurred_at, 1, 10)) AS last_asked
FROM chat_events
WHERE kind = 'turn' AND question IS NOT NULL AND question <> ''
GROUP BY question
ORDER BY times_asked DESC, last_asked DESC, question
LIMIT 50
