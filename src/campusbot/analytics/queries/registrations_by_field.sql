-- name: registrations_by_field
-- description: Registered students per field of study today (the DMS copy replayed: the latest version of each row, deleted ones left out).
-- title: Registered students per field of study
-- order: 110
-- chart: barh x=field_of_study y=students
-- columns: field_of_study:STRING, students:INTEGER
WITH latest AS (
  SELECT
    id,
    field_of_study,
    op,
    ROW_NUMBER() OVER (PARTITION BY id ORDER BY dms_commit_ts DESC) AS version
  FROM dms_student_registration
)
SELECT field_of_study, COUNT(*) AS students
FROM latest
WHERE version = 1 AND op <> 'D'
GROUP BY field_of_study
ORDER BY students DESC, field_of_study
