-- name: most_recommended_universities
-- description: The universities campusbot recommends most often (each recommendation lists up to three).
-- title: Most recommended universities
-- order: 90
-- chart: barh x=university y=recommendations
-- columns: university:STRING, recommendations:INTEGER
SELECT
  json_extract_scalar(source, '$.title') AS university,
  COUNT(*) AS recommendations
FROM chat_events
CROSS JOIN UNNEST(CAST(json_parse(sources) AS ARRAY(JSON))) AS refs (source)
WHERE kind = 'turn' AND intent = 'RecommendUniversity'
  AND json_extract_scalar(source, '$.kind') = 'university'
GROUP BY json_extract_scalar(source, '$.title')
ORDER BY recommendations DESC, university
LIMIT 20
