-- One prediction request per eligible, production-ready player of the night without
-- a current active prediction: none yet, or one computed from a feature row whose
-- data_hash has changed since (outdated; a prediction without a feature_data_hash is
-- never outdated). All of them when @include_predicted, for force. The request
-- carries the feature row's data_hash, which the prediction records.
-- The line: the current points line, else the last-5 average rounded to the
-- nearest 0.5, else the last-10 average, else 15.5.
WITH eligible AS (
  SELECT *
  FROM `{{ project }}.{{ nba_analytics }}.upcoming_player_game_context`
  WHERE game_date = @game_date
    AND avg_minutes_per_game_last_7 >= @min_minutes
    AND LOWER(COALESCE(player_status, 'available')) NOT IN ('out', 'doubtful')
  QUALIFY ROW_NUMBER() OVER (PARTITION BY player_lookup ORDER BY game_id) = 1
),
feature_rows AS (
  -- The latest row per player should a rerun have left two, as the worker reads it.
  SELECT player_lookup, features, is_production_ready, data_hash
  FROM `{{ project }}.{{ nba_predictions }}.ml_feature_store_v2`
  WHERE game_date = @game_date
  QUALIFY ROW_NUMBER() OVER (PARTITION BY player_lookup ORDER BY processed_at DESC) = 1
),
predicted AS (
  {{ include phase5/shared/active_predictions.sql }}
)
SELECT
  e.player_lookup,
  e.game_id,
  CAST(COALESCE(e.current_points_line,
                ROUND(f.features[OFFSET(0)] * 2) / 2,
                f.features[OFFSET(1)],
                15.5) AS FLOAT64) AS line,
  e.team_abbr,
  e.opponent_team_abbr,
  e.home_game AS is_home,
  CAST(e.avg_minutes_per_game_last_7 AS FLOAT64) AS projected_minutes,
  f.data_hash AS feature_data_hash,
  p.player_lookup IS NOT NULL AS has_active_prediction,
  COALESCE(p.outdated, FALSE) AS outdated
FROM eligible AS e
JOIN feature_rows AS f ON f.player_lookup = e.player_lookup AND f.is_production_ready
LEFT JOIN predicted AS p ON p.player_lookup = e.player_lookup
WHERE @include_predicted OR p.player_lookup IS NULL OR p.outdated
ORDER BY e.player_lookup
