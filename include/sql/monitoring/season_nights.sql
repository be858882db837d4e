-- One row per calendar night @start_date..@end_date, in date order, off nights too
-- (games = 0): the season view's figures of every night in one pass, the same figures
-- the per-night queries give (phase4_status.sql, phase5_steps.sql, phase5_coverage.sql,
-- alerts_for_night.sql).
-- Phase 4, per processor (p1 = team_defense_zone_analysis .. p5 = ml_feature_store_v2):
-- pN_rows in its output partition; pN_duration_seconds and pN_ready_pct of its latest run
-- of the night (by processed_at, reference/run_outcomes.sql), the ready % NULL when the
-- partition has no rows (as the season report shows it); quality: P5's, likewise.
-- Phase 5: the coordinator step that speaks for the night (phase5_step, phase5_decision,
-- phase5_status): its latest batch step, else its latest plan skip (a later skip, a backfill
-- with predictions off, leaves the batch's predictions and so its figures in place; as
-- season_report.deciding_step), and its outcome phase5: 'not run', 'skipped' (the plan
-- skipped the night), 'failed' (the start batch failed) or 'ran'. Where a batch ran:
-- eligible and ready as the step recorded them, predicted and coverage_pct counted as in
-- phase5_coverage.sql with the step's own min_minutes (15 when it recorded none);
-- coverage_pct is 100 when no one is eligible.
WITH nights AS (
  SELECT game_date
  FROM UNNEST(GENERATE_DATE_ARRAY(@start_date, @end_date)) AS game_date
),
schedule AS (
  SELECT game_date, COUNT(*) AS games
  FROM `{{ project }}.{{ nba_raw }}.nbac_schedule`
  WHERE game_date BETWEEN @start_date AND @end_date
  GROUP BY game_date
),
output_rows AS (
  SELECT 'team_defense_zone_analysis' AS processor_name, analysis_date AS game_date, COUNT(*) AS rows_in_table
  FROM `{{ project }}.{{ nba_precompute }}.team_defense_zone_analysis`
  WHERE analysis_date BETWEEN @start_date AND @end_date
  GROUP BY analysis_date
  UNION ALL
  SELECT 'player_shot_zone_analysis', analysis_date, COUNT(*)
  FROM `{{ project }}.{{ nba_precompute }}.player_shot_zone_analysis`
  WHERE analysis_date BETWEEN @start_date AND @end_date
  GROUP BY analysis_date
  UNION ALL
  SELECT 'player_composite_factors', game_date, COUNT(*)
  FROM `{{ project }}.{{ nba_precompute }}.player_composite_factors`
  WHERE game_date BETWEEN @start_date AND @end_date
  GROUP BY game_date
  UNION ALL
  SELECT 'player_daily_cache', cache_date, COUNT(*)
  FROM `{{ project }}.{{ nba_precompute }}.player_daily_cache`
  WHERE cache_date BETWEEN @start_date AND @end_date
  GROUP BY cache_date
  UNION ALL
  SELECT 'ml_feature_store_v2', game_date, COUNT(*)
  FROM `{{ project }}.{{ nba_predictions }}.ml_feature_store_v2`
  WHERE game_date BETWEEN @start_date AND @end_date
  GROUP BY game_date
),
run_outcomes AS (
  {{ include reference/run_outcomes.sql }}
),
latest_runs AS (
  SELECT
    run_outcomes.data_date AS game_date,
    run_outcomes.processor_name,
    run_outcomes.duration_seconds,
    IF(output_rows.rows_in_table > 0,
       SAFE_CAST(JSON_VALUE(run_outcomes.summary, '$.ready_pct') AS FLOAT64), NULL) AS ready_pct,
    IF(output_rows.rows_in_table > 0,
       SAFE_CAST(JSON_VALUE(run_outcomes.summary, '$.quality') AS FLOAT64), NULL) AS quality
  FROM run_outcomes
  LEFT JOIN output_rows
    ON output_rows.game_date = run_outcomes.data_date
    AND output_rows.processor_name = run_outcomes.processor_name
  WHERE run_outcomes.data_date BETWEEN @start_date AND @end_date
    AND run_outcomes.phase = 'phase4'
  QUALIFY ROW_NUMBER() OVER (
    PARTITION BY run_outcomes.data_date, run_outcomes.processor_name
    ORDER BY run_outcomes.processed_at DESC, run_outcomes.run_id DESC) = 1
),
phase4 AS (
  SELECT
    game_date,
    MAX(IF(processor_name = 'team_defense_zone_analysis', ready_pct, NULL)) AS p1_ready_pct,
    MAX(IF(processor_name = 'player_shot_zone_analysis', ready_pct, NULL)) AS p2_ready_pct,
    MAX(IF(processor_name = 'player_composite_factors', ready_pct, NULL)) AS p3_ready_pct,
    MAX(IF(processor_name = 'player_daily_cache', ready_pct, NULL)) AS p4_ready_pct,
    MAX(IF(processor_name = 'ml_feature_store_v2', ready_pct, NULL)) AS p5_ready_pct,
    MAX(IF(processor_name = 'team_defense_zone_analysis', duration_seconds, NULL)) AS p1_duration_seconds,
    MAX(IF(processor_name = 'player_shot_zone_analysis', duration_seconds, NULL)) AS p2_duration_seconds,
    MAX(IF(processor_name = 'player_composite_factors', duration_seconds, NULL)) AS p3_duration_seconds,
    MAX(IF(processor_name = 'player_daily_cache', duration_seconds, NULL)) AS p4_duration_seconds,
    MAX(IF(processor_name = 'ml_feature_store_v2', duration_seconds, NULL)) AS p5_duration_seconds,
    MAX(IF(processor_name = 'ml_feature_store_v2', quality, NULL)) AS quality
  FROM latest_runs
  GROUP BY game_date
),
phase4_rows AS (
  SELECT
    game_date,
    SUM(IF(processor_name = 'team_defense_zone_analysis', rows_in_table, 0)) AS p1_rows,
    SUM(IF(processor_name = 'player_shot_zone_analysis', rows_in_table, 0)) AS p2_rows,
    SUM(IF(processor_name = 'player_composite_factors', rows_in_table, 0)) AS p3_rows,
    SUM(IF(processor_name = 'player_daily_cache', rows_in_table, 0)) AS p4_rows,
    SUM(IF(processor_name = 'ml_feature_store_v2', rows_in_table, 0)) AS p5_rows
  FROM output_rows
  GROUP BY game_date
),
deciding_steps AS (
  SELECT
    data_date AS game_date,
    JSON_VALUE(summary, '$.step') AS step,
    JSON_VALUE(summary, '$.decision') AS decision,
    status,
    SAFE_CAST(JSON_VALUE(summary, '$.eligible') AS INT64) AS eligible,
    SAFE_CAST(JSON_VALUE(summary, '$.ready') AS INT64) AS ready,
    IFNULL(SAFE_CAST(JSON_VALUE(summary, '$.min_minutes') AS INT64), 15) AS min_minutes
  FROM `{{ project }}.{{ nba_reference }}.processor_run_history`
  WHERE processor_name = 'phase5_coordinator' AND data_date BETWEEN @start_date AND @end_date
  QUALIFY ROW_NUMBER() OVER (
    PARTITION BY data_date
    ORDER BY IF(JSON_VALUE(summary, '$.step') = 'plan', 1, 0), processed_at DESC
  ) = 1
),
batch_nights AS (
  SELECT game_date, min_minutes
  FROM deciding_steps
  WHERE step IS NULL OR step != 'plan'
),
eligible AS (
  SELECT DISTINCT context.game_date, context.player_lookup
  FROM `{{ project }}.{{ nba_analytics }}.upcoming_player_game_context` AS context
  JOIN batch_nights ON batch_nights.game_date = context.game_date
  WHERE context.game_date BETWEEN @start_date AND @end_date
    AND context.avg_minutes_per_game_last_7 >= batch_nights.min_minutes
    AND LOWER(COALESCE(context.player_status, 'available')) NOT IN ('out', 'doubtful')
),
predicted AS (
  SELECT DISTINCT game_date, player_lookup
  FROM `{{ project }}.{{ nba_predictions }}.player_prop_predictions`
  WHERE game_date BETWEEN @start_date AND @end_date AND is_active
),
coverage AS (
  SELECT
    e.game_date,
    COUNT(p.player_lookup) AS predicted,
    ROUND(100.0 * COUNT(p.player_lookup) / COUNT(*), 1) AS coverage_pct
  FROM eligible AS e
  LEFT JOIN predicted AS p USING (game_date, player_lookup)
  GROUP BY e.game_date
),
alerts AS (
  SELECT
    game_date,
    COUNTIF(severity = 'warning') AS alerts_warning,
    COUNTIF(severity = 'critical') AS alerts_critical
  FROM `{{ project }}.{{ nba_reference }}.pipeline_alerts`
  WHERE game_date BETWEEN @start_date AND @end_date
  GROUP BY game_date
)
SELECT
  nights.game_date,
  IFNULL(schedule.games, 0) AS games,
  IFNULL(phase4_rows.p1_rows, 0) AS p1_rows,
  IFNULL(phase4_rows.p2_rows, 0) AS p2_rows,
  IFNULL(phase4_rows.p3_rows, 0) AS p3_rows,
  IFNULL(phase4_rows.p4_rows, 0) AS p4_rows,
  IFNULL(phase4_rows.p5_rows, 0) AS p5_rows,
  phase4.p1_ready_pct,
  phase4.p2_ready_pct,
  phase4.p3_ready_pct,
  phase4.p4_ready_pct,
  phase4.p5_ready_pct,
  phase4.p1_duration_seconds,
  phase4.p2_duration_seconds,
  phase4.p3_duration_seconds,
  phase4.p4_duration_seconds,
  phase4.p5_duration_seconds,
  phase4.quality,
  deciding_steps.step AS phase5_step,
  deciding_steps.decision AS phase5_decision,
  deciding_steps.status AS phase5_status,
  CASE
    WHEN deciding_steps.game_date IS NULL THEN 'not run'
    WHEN deciding_steps.step = 'plan' THEN 'skipped'
    WHEN deciding_steps.status = 'failed' THEN 'failed'
    ELSE 'ran'
  END AS phase5,
  IF(batch_nights.game_date IS NULL, NULL, deciding_steps.eligible) AS eligible,
  IF(batch_nights.game_date IS NULL, NULL, deciding_steps.ready) AS ready,
  IF(batch_nights.game_date IS NULL, NULL, IFNULL(coverage.predicted, 0)) AS predicted,
  IF(batch_nights.game_date IS NULL, NULL, IFNULL(coverage.coverage_pct, 100.0)) AS coverage_pct,
  IFNULL(alerts.alerts_warning, 0) AS alerts_warning,
  IFNULL(alerts.alerts_critical, 0) AS alerts_critical
FROM nights
LEFT JOIN schedule ON schedule.game_date = nights.game_date
LEFT JOIN phase4_rows ON phase4_rows.game_date = nights.game_date
LEFT JOIN phase4 ON phase4.game_date = nights.game_date
LEFT JOIN deciding_steps ON deciding_steps.game_date = nights.game_date
LEFT JOIN batch_nights ON batch_nights.game_date = nights.game_date
LEFT JOIN coverage ON coverage.game_date = nights.game_date
LEFT JOIN alerts ON alerts.game_date = nights.game_date
ORDER BY nights.game_date
