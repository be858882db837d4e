-- Phase 4 status of one night (@game_date): one row per processor, P1..P5,
-- including processors that never ran for the date. rows_in_table is the
-- actual row count of the processor's output partition for the date; the
-- other columns come from the processor's latest run-history row for the date
-- (by processed_at), NULL when it never ran; runs counts its runs for the date.
WITH processors AS (
  SELECT processor.*
  FROM UNNEST([
    STRUCT(
      1 AS position,
      'team_defense_zone_analysis' AS processor_name,
      (SELECT COUNT(*) FROM `{{ project }}.{{ nba_precompute }}.team_defense_zone_analysis`
       WHERE analysis_date = @game_date) AS rows_in_table),
    STRUCT(
      2 AS position,
      'player_shot_zone_analysis' AS processor_name,
      (SELECT COUNT(*) FROM `{{ project }}.{{ nba_precompute }}.player_shot_zone_analysis`
       WHERE analysis_date = @game_date) AS rows_in_table),
    STRUCT(
      3 AS position,
      'player_composite_factors' AS processor_name,
      (SELECT COUNT(*) FROM `{{ project }}.{{ nba_precompute }}.player_composite_factors`
       WHERE game_date = @game_date) AS rows_in_table),
    STRUCT(
      4 AS position,
      'player_daily_cache' AS processor_name,
      (SELECT COUNT(*) FROM `{{ project }}.{{ nba_precompute }}.player_daily_cache`
       WHERE cache_date = @game_date) AS rows_in_table),
    STRUCT(
      5 AS position,
      'ml_feature_store_v2' AS processor_name,
      (SELECT COUNT(*) FROM `{{ project }}.{{ nba_predictions }}.ml_feature_store_v2`
       WHERE game_date = @game_date) AS rows_in_table)
  ]) AS processor
),
night_runs AS (
  SELECT
    processor_name,
    status,
    records_processed,
    duration_seconds,
    processed_at,
    summary,
    COUNT(*) OVER (PARTITION BY processor_name) AS runs,
    ROW_NUMBER() OVER (PARTITION BY processor_name ORDER BY processed_at DESC, run_id DESC) AS recency
  FROM `{{ project }}.{{ nba_reference }}.processor_run_history`
  WHERE data_date = @game_date
    AND phase = 'phase4'
)
SELECT
  processors.processor_name,
  processors.rows_in_table,
  latest.status,
  latest.records_processed,
  SAFE_CAST(JSON_VALUE(latest.summary, '$.success_threshold') AS INT64) AS success_threshold,
  SAFE_CAST(JSON_VALUE(latest.summary, '$.production_ready') AS INT64) AS production_ready,
  SAFE_CAST(JSON_VALUE(latest.summary, '$.ready_pct') AS FLOAT64) AS ready_pct,
  SAFE_CAST(JSON_VALUE(latest.summary, '$.quality') AS FLOAT64) AS quality,
  JSON_VALUE(latest.summary, '$.quality_label') AS quality_label,
  latest.duration_seconds,
  latest.processed_at AS last_run_at,
  JSON_VALUE(latest.summary, '$.decision') AS decision,
  JSON_VALUE(latest.summary, '$.message') AS message,
  IFNULL(latest.runs, 0) AS runs
FROM processors
LEFT JOIN night_runs AS latest
  ON latest.processor_name = processors.processor_name
  AND latest.recency = 1
ORDER BY processors.position
