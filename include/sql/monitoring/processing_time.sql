-- Processing time per Phase 4 processor over the nights @start_date..@end_date
-- (data_date, inclusive), from the run history (one outcome per run, see
-- reference/run_outcomes.sql). Duration figures cover the
-- runs that did work (not 'skipped': a bootstrap or upstream-failed skip takes
-- no time and would pull the figures down); median_seconds is the exact median:
-- the middle working run, or the mean of the two middle ones. The figures are
-- computed on whole milliseconds (integers): a sum of FLOAT64 depends on the
-- order it is added in, and its last bit could flip the rounded figure.
WITH run_outcomes AS (
  {{ include reference/run_outcomes.sql }}
),
runs AS (
  SELECT
    processor_name,
    data_date,
    status,
    CAST(ROUND(duration_seconds * 1000) AS INT64) AS duration_ms,
    -- unfinished runs have no duration yet
    IF(status IN ('skipped', 'running', 'abandoned'), NULL,
       CAST(ROUND(duration_seconds * 1000) AS INT64)) AS working_ms
  FROM run_outcomes
  WHERE data_date BETWEEN @start_date AND @end_date
    AND phase = 'phase4'
),
ranked AS (
  SELECT
    processor_name,
    working_ms,
    ROW_NUMBER() OVER (PARTITION BY processor_name ORDER BY working_ms) AS position,
    COUNT(*) OVER (PARTITION BY processor_name) AS working_runs
  FROM runs
  WHERE working_ms IS NOT NULL
),
medians AS (
  SELECT processor_name, (MIN(working_ms) + MAX(working_ms)) / 2 AS median_ms
  FROM ranked
  WHERE position IN (DIV(working_runs + 1, 2), DIV(working_runs + 2, 2))
  GROUP BY processor_name
)
SELECT
  processor_name,
  COUNT(DISTINCT data_date) AS nights,
  COUNT(*) AS runs,
  COUNTIF(status = 'success') AS successful_runs,
  COUNTIF(status = 'partial') AS partial_runs,
  COUNTIF(status = 'failed') AS failed_runs,
  COUNTIF(status = 'skipped') AS skipped_runs,
  COUNTIF(status IN ('running', 'abandoned')) AS unfinished_runs,
  ROUND(AVG(working_ms) / 1000, 3) AS avg_seconds,
  ROUND(ANY_VALUE(m.median_ms) / 1000, 3) AS median_seconds,
  MAX(working_ms) / 1000 AS max_seconds,
  SUM(duration_ms) / 1000 AS total_seconds
FROM runs
LEFT JOIN medians AS m USING (processor_name)
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
