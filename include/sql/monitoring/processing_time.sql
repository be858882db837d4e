-- Processing time per Phase 4 processor over the nights @start_date..@end_date
-- (data_date, inclusive), from the run history. Duration figures cover the
-- runs that did work (not 'skipped': a bootstrap or upstream-failed skip takes
-- no time and would pull the figures down); median_seconds is the exact median
-- (PERCENTILE_CONT as an analytic function, which also runs locally).
WITH runs AS (
  SELECT
    processor_name,
    data_date,
    status,
    duration_seconds,
    IF(status = 'skipped', NULL, duration_seconds) AS working_seconds,
    PERCENTILE_CONT(IF(status = 'skipped', NULL, duration_seconds), 0.5)
      OVER (PARTITION BY processor_name) AS median_seconds
  FROM `{{ project }}.{{ nba_reference }}.processor_run_history`
  WHERE data_date BETWEEN @start_date AND @end_date
    AND phase = 'phase4'
)
SELECT
  processor_name,
  COUNT(DISTINCT data_date) AS nights,
  COUNT(*) AS runs,
  COUNTIF(status = 'success') AS successful_runs,
  COUNTIF(status = 'partial') AS partial_runs,
  COUNTIF(status = 'failed') AS failed_runs,
  COUNTIF(status = 'skipped') AS skipped_runs,
  ROUND(AVG(working_seconds), 3) AS avg_seconds,
  ROUND(ANY_VALUE(median_seconds), 3) AS median_seconds,
  ROUND(MAX(working_seconds), 3) AS max_seconds,
  ROUND(SUM(duration_seconds), 3) AS total_seconds
FROM runs
GROUP BY processor_name
ORDER BY
  CASE processor_name
    WHEN 'team_defense_zone_analysis' THEN 1
    WHEN 'player_shot_zone_analysis' THEN 2
    WHEN 'player_composite_factors' THEN 3
    WHEN 'player_daily_cache' THEN 4
    WHEN 'ml_feature_store_v2' THEN 5
    ELSE 6
  END,
  processor_name
