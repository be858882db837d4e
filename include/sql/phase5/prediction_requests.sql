-- One prediction request per eligible, production-ready player of the night that
-- has no active prediction yet (all of them when @include_predicted, for force).
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
predicted AS (
  SELECT DISTINCT player_lookup
  FROM `{{ project }}.{{ nba_predictions }}.player_prop_predictions`
  WHERE game_date = @game_date AND is_active
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
  CAST(e.avg_minutes_per_game_last_7 AS FLOAT64) AS projected_minutes
FROM eligible AS e
JOIN `{{ project }}.{{ nba_predictions }}.ml_feature_store_v2` AS f
  ON f.player_lookup = e.player_lookup AND f.game_date = @game_date AND f.is_production_ready
LEFT JOIN predicted AS p ON p.player_lookup = e.player_lookup
WHERE @include_predicted OR p.player_lookup IS NULL
ORDER BY e.player_lookup
