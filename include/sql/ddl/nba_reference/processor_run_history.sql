-- One row per processor run and per Phase 5 step, failures included.
CREATE TABLE IF NOT EXISTS `{{ project }}.{{ nba_reference }}.processor_run_history` (
  processor_name STRING NOT NULL,
  run_id STRING NOT NULL,
  data_date DATE NOT NULL,
  season_year INT64,
  status STRING NOT NULL,             -- running, success, partial, failed, skipped
  records_processed INT64,
  records_created INT64,
  records_skipped INT64,
  duration_seconds FLOAT64,
  triggered_by STRING,                -- scheduled, manual, backfill, retry, ...
  trigger_source STRING,
  backfill_mode BOOL,
  force_reprocess BOOL,
  dependency_check_passed BOOL,
  missing_dependencies ARRAY<STRING>,
  alert_sent BOOL,
  alert_type STRING,
  errors JSON,
  warnings JSON,
  summary JSON,
  started_at TIMESTAMP,
  processed_at TIMESTAMP,
  phase STRING,
  output_table STRING,
  output_dataset STRING,
  dag_id STRING,
  dag_run_id STRING,
  task_id STRING,
  try_number INT64
)
PARTITION BY data_date
CLUSTER BY processor_name, status
