-- The Phase 5 coordinator's steps for a night (plan skip, start batch, retries,
-- status check), oldest first, with the counts from their summary JSON.
SELECT
  JSON_VALUE(summary, '$.step') AS step,
  status,
  JSON_VALUE(summary, '$.decision') AS decision,
  run_id AS batch_id,
  records_processed AS requested,
  SAFE_CAST(JSON_VALUE(summary, '$.eligible') AS INT64) AS eligible,
  SAFE_CAST(JSON_VALUE(summary, '$.ready') AS INT64) AS ready,
  SAFE_CAST(JSON_VALUE(summary, '$.predicted_after') AS INT64) AS predicted,
  SAFE_CAST(JSON_VALUE(summary, '$.coverage_pct') AS FLOAT64) AS coverage_pct,
  SAFE_CAST(JSON_VALUE(summary, '$.min_minutes') AS INT64) AS min_minutes,
  JSON_VALUE(summary, '$.message') AS message,
  processed_at,
  dag_run_id
FROM `{{ project }}.{{ nba_reference }}.processor_run_history`
WHERE processor_name = 'phase5_coordinator' AND data_date = @game_date
ORDER BY processed_at
