-- One processor_run_history row: a run's start (`running`) or its outcome.
-- A DML INSERT rather than a load job, so that it can join the transaction that commits
-- the run's output: the output and its history row commit together or not at all.
INSERT INTO `{{ project }}.{{ nba_reference }}.processor_run_history` (
  processor_name, run_id, data_date, season_year, status,
  records_processed, records_created, records_skipped, duration_seconds,
  triggered_by, trigger_source, backfill_mode, force_reprocess,
  dependency_check_passed, missing_dependencies, alert_sent, alert_type,
  errors, warnings, summary, started_at, processed_at, phase,
  output_table, output_dataset, dag_id, dag_run_id, task_id, try_number
)
VALUES (
  @processor_name, @run_id, @data_date, CAST(@season_year AS INT64), @status,
  @records_processed, @records_created, @records_skipped, CAST(@duration_seconds AS FLOAT64),
  @triggered_by, @trigger_source, @backfill_mode, @force_reprocess,
  CAST(@dependency_check_passed AS BOOL), CAST(@missing_dependencies AS ARRAY<STRING>), @alert_sent,
  CAST(@alert_type AS STRING),
  PARSE_JSON(@errors), PARSE_JSON(@warnings), PARSE_JSON(@summary), @started_at, @processed_at, @phase,
  CAST(@output_table AS STRING), CAST(@output_dataset AS STRING), CAST(@dag_id AS STRING),
  CAST(@dag_run_id AS STRING), CAST(@task_id AS STRING), CAST(@try_number AS INT64)
)
