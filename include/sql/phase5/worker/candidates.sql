-- Fragment (not run on its own): one row per prediction request of a worker call,
-- joined to the player's feature row for @game_date, with the worker's decision,
-- the baseline prediction and whether the call writes it. classify_requests.sql,
-- deactivate_active.sql and insert_predictions.sql embed it (the `candidates`
-- fragment), so the three agree.
--
-- `writes`: an eligible player gets a new active prediction when it has none of this
-- system for the date, when its active one is outdated (computed from a feature row
-- whose data_hash has changed since), or always with @replace_existing (force). An
-- active prediction without a feature_data_hash (lineage unknown) is never outdated.
--
-- The requests arrive as parallel arrays (@players, @lines, @game_ids), zipped
-- on their offsets by joining one UNNEST ... WITH OFFSET per array. @game_ids holds ''
-- where the request had no game_id (BigQuery array parameters cannot hold NULL).
WITH requested_players AS (
  SELECT player_lookup, i
  FROM UNNEST(@players) AS player_lookup WITH OFFSET AS i
),
requested_lines AS (
  SELECT line, i
  FROM UNNEST(@lines) AS line WITH OFFSET AS i
),
requested_games AS (
  SELECT game_id, i
  FROM UNNEST(@game_ids) AS game_id WITH OFFSET AS i
),
requests AS (
  SELECT p.player_lookup, l.line, NULLIF(g.game_id, '') AS game_id
  FROM requested_players AS p
  JOIN requested_lines AS l ON l.i = p.i
  JOIN requested_games AS g ON g.i = p.i
),
feature_rows AS (
  -- The key is (player_lookup, game_date); the latest row wins should a rerun have left two.
  SELECT player_lookup, game_id, features, feature_quality_score, is_production_ready, actual_games_count, data_hash
  FROM `{{ project }}.{{ nba_predictions }}.ml_feature_store_v2`
  WHERE game_date = @game_date AND player_lookup IN UNNEST(@players)
  QUALIFY ROW_NUMBER() OVER (PARTITION BY player_lookup ORDER BY processed_at DESC) = 1
),
earlier_predictions AS (
  -- This system's predictions of the requested players for the date, active or not,
  -- and the feature_data_hash of the active one (at most one is active).
  SELECT
    player_lookup,
    COUNT(*) AS prediction_count,
    COUNTIF(is_active) > 0 AS has_active,
    MAX(IF(is_active, feature_data_hash, NULL)) AS active_feature_data_hash
  FROM `{{ project }}.{{ nba_predictions }}.player_prop_predictions`
  WHERE game_date = @game_date AND system_id = @system_id AND player_lookup IN UNNEST(@players)
  GROUP BY player_lookup
),
joined AS (
  SELECT
    r.player_lookup,
    COALESCE(r.game_id, f.game_id) AS game_id,
    r.line,
    f.player_lookup IS NOT NULL AS has_feature_row,
    f.feature_quality_score,
    f.is_production_ready,
    f.actual_games_count,
    f.data_hash AS feature_data_hash,
    f.features[SAFE_OFFSET(0)] AS points_avg_last_5,
    f.features[SAFE_OFFSET(1)] AS points_avg_last_10,
    f.features[SAFE_OFFSET(2)] AS points_avg_season,
    f.features[SAFE_OFFSET(5)] AS fatigue_score,
    f.features[SAFE_OFFSET(6)] AS shot_zone_mismatch_score,
    f.features[SAFE_OFFSET(7)] AS pace_score,
    f.features[SAFE_OFFSET(8)] AS usage_spike_score,
    COALESCE(e.prediction_count, 0) AS prediction_count,
    COALESCE(e.has_active, FALSE) AS has_active,
    e.active_feature_data_hash
  FROM requests AS r
  LEFT JOIN feature_rows AS f ON f.player_lookup = r.player_lookup
  LEFT JOIN earlier_predictions AS e ON e.player_lookup = r.player_lookup
),
decided AS (
  SELECT
    *,
    CASE
      WHEN NOT has_feature_row THEN 'no_feature_row'
      WHEN feature_quality_score IS NULL THEN 'no_quality_score'
      WHEN feature_quality_score < @min_quality THEN 'low_quality'
      WHEN NOT COALESCE(is_production_ready, FALSE) THEN 'not_production_ready'
      WHEN points_avg_last_5 IS NULL OR points_avg_last_10 IS NULL OR points_avg_season IS NULL
        OR fatigue_score IS NULL OR shot_zone_mismatch_score IS NULL OR pace_score IS NULL
        OR usage_spike_score IS NULL THEN 'features_incomplete'
      ELSE 'eligible'
    END AS decision,
    has_active AND active_feature_data_hash IS NOT NULL AND feature_data_hash IS NOT NULL
      AND active_feature_data_hash != feature_data_hash AS outdated,
    -- Blend plus composite adjustment, in FLOAT64; the cast to NUMERIC (9 decimals)
    -- drops float noise so the rounding to 0.1 below is exact (half away from zero).
    ROUND(CAST(
      0.5 * points_avg_last_5 + 0.3 * points_avg_last_10 + 0.2 * points_avg_season
      + (fatigue_score - 100) / 20 + shot_zone_mismatch_score + pace_score + usage_spike_score
      AS NUMERIC), 1) AS raw_points,
    ROUND(CAST(line AS NUMERIC), 1) AS current_points_line
  FROM joined
),
predicted AS (
  SELECT
    *,
    CASE WHEN raw_points < 0 THEN 0 ELSE raw_points END AS predicted_points,
    decision = 'eligible' AND (NOT has_active OR outdated OR @replace_existing) AS writes
  FROM decided
)
SELECT
  player_lookup,
  game_id,
  decision,
  has_active,
  outdated,
  writes,
  prediction_count,
  feature_data_hash,
  feature_quality_score,
  actual_games_count,
  predicted_points,
  current_points_line,
  predicted_points - current_points_line AS line_margin,
  CASE
    WHEN predicted_points - current_points_line >= 1 THEN 'OVER'
    WHEN predicted_points - current_points_line <= -1 THEN 'UNDER'
    ELSE 'PASS'
  END AS recommendation,
  -- Confidence 0-1: half from feature quality (quality / 100), half from sample size
  -- (games behind the features, saturating at 10), in NUMERIC, rounded to 3 decimals.
  CAST(ROUND(
    feature_quality_score * NUMERIC '0.005'
    + LEAST(GREATEST(COALESCE(actual_games_count, 0), 0), 10) * NUMERIC '0.05',
    3) AS FLOAT64) AS confidence_score
FROM predicted
