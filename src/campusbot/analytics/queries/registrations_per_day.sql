-- name: registrations_per_day
-- description: Student and company registrations per day (from the DMS copy of the database: each registration counted once).
-- title: Registrations per day
-- order: 100
-- chart: bar x=day y=students,companies
-- columns: day:STRING, students:INTEGER, companies:INTEGER
WITH students AS (
  SELECT CAST(CAST(created_at AS DATE) AS VARCHAR) AS day, COUNT(DISTINCT id) AS registrations
  FROM dms_student_registration
  WHERE op = 'I'
  GROUP BY CAST(CAST(created_at AS DATE) AS VARCHAR)
),
companies AS (
  SELECT CAST(CAST(created_at AS DATE) AS VARCHAR) AS day, COUNT(DISTINCT id) AS registrations
  FROM dms_company_registration
  WHERE op = 'I'
  GROUP BY CAST(CAST(created_at AS DATE) AS VARCHAR)
)
SELECT
  COALESCE(s.day, c.day) AS day,
  COALESCE(s.registrations, 0) AS students,
  COALESCE(c.registrations, 0) AS companies
FROM students AS s
FULL OUTER JOIN companies AS c ON s.day = c.day
ORDER BY day
