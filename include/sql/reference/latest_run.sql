-- The latest run-history row of one processor for one night.
SELECT processor_name, run_id, status, started_at, processed_at, duration_seconds, records_processed, summary
FROM `{{ project }}.{{ nba_reference }}.processor_run_history`
WHERE data_date = @data_date AND processor_name = @processor_name
ORDER BY processed_at DESC
LIMIT 1
