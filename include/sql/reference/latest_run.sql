-- The latest run of one processor for one night (`running` while it runs, `abandoned`
-- when it never finished; see reference/run_outcomes.sql).
WITH run_outcomes AS (
  {{ include reference/run_outcomes.sql }}
)
SELECT processor_name, run_id, status, started_at, processed_at, duration_seconds, records_processed, summary
FROM run_outcomes
WHERE data_date = @data_date AND processor_name = @processor_name
ORDER BY processed_at DESC
LIMIT 1
