-- One row per run of the run history: its latest row. A run writes `running` when it
-- starts and its outcome when it ends (in the same transaction as its output); a run
-- still `running` past its timeout (summary.timeout_seconds) never finished: `abandoned`.
-- Filter it by data_date (and processor_name) outside: both are in the window's partition.
SELECT
  processor_name,
  run_id,
  data_date,
  phase,
  IF(status = 'running'
       AND TIMESTAMP_ADD(started_at, INTERVAL IFNULL(
             SAFE_CAST(JSON_VALUE(summary, '$.timeout_seconds') AS INT64), 3600) SECOND) < CURRENT_TIMESTAMP(),
     'abandoned', status) AS status,
  records_processed,
  duration_seconds,
  started_at,
  processed_at,
  summary,
  dag_run_id
FROM `{{ project }}.{{ nba_reference }}.processor_run_history`
WHERE TRUE
QUALIFY ROW_NUMBER() OVER (
  PARTITION BY data_date, processor_name, run_id
  ORDER BY processed_at DESC, IF(status = 'running', 1, 0)
) = 1
