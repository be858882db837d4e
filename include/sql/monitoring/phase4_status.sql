-- Phase 4 status of one night (@game_date): one row per processor, P1..P5,
-- including processors that never ran for the date. rows_in_table is the
-- actual row count of the processor's output partition for the date; the
-- other columns come from the processor's latest run for the date (by processed_at),
-- NULL when it never ran: `running` while it runs, `abandoned` when it never finished
-- (reference/run_outcomes.sql); runs counts its runs for the date; dag_run_id is the
-- Airflow run that wrote the latest (NULL for a run outside Airflow, e.g. `make phase4`).
-- stale / stale_reason: the output was computed from an upstream output that has
-- been rewritten since, or from a Phase 3 table whose fingerprint is no longer the one
-- in @phase3_fingerprints (a JSON object table -> today's fingerprint, from
-- phase3/fingerprint.sql; '{}' = unknown, not judged).
WITH processors AS (
  SELECT processor.*
  FROM UNNEST([
    STRUCT(
      1 AS position,
      'team_defense_zone_analysis' AS processor_name,
      CAST([] AS ARRAY<STRING>) AS upstream,
      (SELECT COUNT(*) FROM `{{ project }}.{{ nba_precompute }}.team_defense_zone_analysis`
       WHERE analysis_date = @game_date) AS rows_in_table),
    STRUCT(
      2 AS position,
      'player_shot_zone_analysis' AS processor_name,
      CAST([] AS ARRAY<STRING>) AS upstream,
      (SELECT COUNT(*) FROM `{{ project }}.{{ nba_precompute }}.player_shot_zone_analysis`
       WHERE analysis_date = @game_date) AS rows_in_table),
    STRUCT(
      3 AS position,
      'player_composite_factors' AS processor_name,
      ['team_defense_zone_analysis', 'player_shot_zone_analysis'] AS upstream,
      (SELECT COUNT(*) FROM `{{ project }}.{{ nba_precompute }}.player_composite_factors`
       WHERE game_date = @game_date) AS rows_in_table),
    STRUCT(
      4 AS position,
      'player_daily_cache' AS processor_name,
      ['player_shot_zone_analysis'] AS upstream,
      (SELECT COUNT(*) FROM `{{ project }}.{{ nba_precompute }}.player_daily_cache`
       WHERE cache_date = @game_date) AS rows_in_table),
    STRUCT(
      5 AS position,
      'ml_feature_store_v2' AS processor_name,
      ['team_defense_zone_analysis', 'player_shot_zone_analysis', 'player_composite_factors',
        'player_daily_cache'] AS upstream,
      (SELECT COUNT(*) FROM `{{ project }}.{{ nba_predictions }}.ml_feature_store_v2`
       WHERE game_date = @game_date) AS rows_in_table)
  ]) AS processor
),
output_runs AS (
  {{ include reference/phase4_output_runs.sql }}
),
-- The upstream run ids each output recorded (the four processors anything reads).
recorded_upstream AS (
  SELECT output.processor_name, recorded.upstream_name, recorded.run_id
  FROM output_runs AS output,
    UNNEST([
      STRUCT('team_defense_zone_analysis' AS upstream_name,
             JSON_VALUE(output.summary, '$.lineage.upstream_runs.team_defense_zone_analysis') AS run_id),
      STRUCT('player_shot_zone_analysis',
             JSON_VALUE(output.summary, '$.lineage.upstream_runs.player_shot_zone_analysis')),
      STRUCT('player_composite_factors',
             JSON_VALUE(output.summary, '$.lineage.upstream_runs.player_composite_factors')),
      STRUCT('player_daily_cache', JSON_VALUE(output.summary, '$.lineage.upstream_runs.player_daily_cache'))
    ]) AS recorded
),
dependencies AS (
  SELECT processors.processor_name, upstream_name
  FROM processors, UNNEST(processors.upstream) AS upstream_name
),
stale_reasons AS (
  SELECT dependencies.processor_name, CONCAT(dependencies.upstream_name, ' rewritten after it') AS reason
  FROM dependencies
  JOIN output_runs AS output ON output.processor_name = dependencies.processor_name
  JOIN output_runs AS upstream_output ON upstream_output.processor_name = dependencies.upstream_name
  LEFT JOIN recorded_upstream AS recorded
    ON recorded.processor_name = dependencies.processor_name
    AND recorded.upstream_name = dependencies.upstream_name
  WHERE recorded.run_id IS NULL OR recorded.run_id != upstream_output.run_id
  UNION ALL
  SELECT output.processor_name, CONCAT('Phase 3 ', input.table_name, ' changed since it was computed')
  FROM output_runs AS output,
    UNNEST([
      STRUCT('nbac_schedule' AS table_name,
             JSON_VALUE(output.summary, '$.lineage.phase3_fingerprints.nbac_schedule') AS recorded,
             JSON_VALUE(@phase3_fingerprints, '$.nbac_schedule') AS latest),
      STRUCT('player_game_summary',
             JSON_VALUE(output.summary, '$.lineage.phase3_fingerprints.player_game_summary'),
             JSON_VALUE(@phase3_fingerprints, '$.player_game_summary')),
      STRUCT('team_defense_game_summary',
             JSON_VALUE(output.summary, '$.lineage.phase3_fingerprints.team_defense_game_summary'),
             JSON_VALUE(@phase3_fingerprints, '$.team_defense_game_summary')),
      STRUCT('team_offense_game_summary',
             JSON_VALUE(output.summary, '$.lineage.phase3_fingerprints.team_offense_game_summary'),
             JSON_VALUE(@phase3_fingerprints, '$.team_offense_game_summary')),
      STRUCT('upcoming_player_game_context',
             JSON_VALUE(output.summary, '$.lineage.phase3_fingerprints.upcoming_player_game_context'),
             JSON_VALUE(@phase3_fingerprints, '$.upcoming_player_game_context')),
      STRUCT('upcoming_team_game_context',
             JSON_VALUE(output.summary, '$.lineage.phase3_fingerprints.upcoming_team_game_context'),
             JSON_VALUE(@phase3_fingerprints, '$.upcoming_team_game_context'))
    ]) AS input
  WHERE input.recorded != input.latest
),
stale AS (
  SELECT processor_name, STRING_AGG(reason, '; ' ORDER BY reason) AS stale_reason
  FROM stale_reasons
  GROUP BY processor_name
),
run_outcomes AS (
  {{ include reference/run_outcomes.sql }}
),
night_runs AS (
  SELECT
    processor_name,
    status,
    records_processed,
    duration_seconds,
    started_at,
    processed_at,
    summary,
    dag_run_id,
    COUNT(*) OVER (PARTITION BY processor_name) AS runs,
    ROW_NUMBER() OVER (PARTITION BY processor_name ORDER BY processed_at DESC, run_id DESC) AS recency
  FROM run_outcomes
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
  latest.started_at AS last_started_at,
  JSON_VALUE(latest.summary, '$.decision') AS decision,
  JSON_VALUE(latest.summary, '$.message') AS message,
  IFNULL(latest.runs, 0) AS runs,
  latest.dag_run_id,
  stale.processor_name IS NOT NULL AS stale,
  stale.stale_reason
FROM processors
LEFT JOIN night_runs AS latest
  ON latest.processor_name = processors.processor_name
  AND latest.recency = 1
LEFT JOIN stale ON stale.processor_name = processors.processor_name
ORDER BY processors.position
