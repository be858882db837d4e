-- P4 player_daily_cache: rolling stats for every player expected to play on
-- @game_date (upcoming_player_game_context) with at least 5 played games this
-- season and a P2 row of the same night; a player without a P2 row is skipped
-- (the stats SQL counts them as records_skipped).
-- A played game = an active row with minutes > 0. Only games strictly before
-- @game_date are read (no leakage).
WITH upcoming_players AS (
  SELECT *
  FROM `{{ project }}.{{ nba_analytics }}.upcoming_player_game_context`
  WHERE game_date = @game_date
  -- One row per player even if the context lists a player twice.
  QUALIFY ROW_NUMBER() OVER (PARTITION BY player_lookup ORDER BY game_id) = 1
),

played_games AS (
  SELECT
    player_lookup,
    game_id,
    game_date,
    points,
    minutes_played,
    usage_rate,
    fg_attempts,
    ft_attempts,
    ROW_NUMBER() OVER (PARTITION BY player_lookup ORDER BY game_date DESC, game_id DESC) AS recency
  FROM `{{ project }}.{{ nba_analytics }}.player_game_summary`
  WHERE season_year = @season_year AND game_date < @game_date
    AND is_active AND minutes_played > 0
),

player_history AS (
  SELECT
    player_lookup,
    COUNT(*) AS games_played_season,
    AVG(points) AS points_avg_season,
    CAST(AVG(usage_rate) AS FLOAT64) AS player_usage_rate_season,
    AVG(IF(recency <= 5, points, NULL)) AS points_avg_last_5,
    AVG(IF(recency <= 10, points, NULL)) AS points_avg_last_10,
    -- Sample standard deviation (n - 1); NULL with fewer than 2 games.
    STDDEV_SAMP(IF(recency <= 10, points, NULL)) AS points_std_last_10,
    CAST(AVG(IF(recency <= 10, minutes_played, NULL)) AS FLOAT64) AS minutes_avg_last_10,
    CAST(AVG(IF(recency <= 10, usage_rate, NULL)) AS FLOAT64) AS usage_rate_last_10,
    -- True shooting over the 10-game sample: PTS / (2 x (FGA + 0.44 x FTA)).
    SAFE_DIVIDE(
      SUM(IF(recency <= 10, points, 0)),
      2 * (SUM(IF(recency <= 10, fg_attempts, 0)) + 0.44 * SUM(IF(recency <= 10, ft_attempts, 0)))
    ) AS ts_pct_last_10
  FROM played_games
  GROUP BY player_lookup
),

team_games AS (
  SELECT
    team_abbr,
    pace,
    offensive_rating,
    ROW_NUMBER() OVER (PARTITION BY team_abbr ORDER BY game_date DESC, game_id DESC) AS recency
  FROM `{{ project }}.{{ nba_analytics }}.team_offense_game_summary`
  WHERE season_year = @season_year AND game_date < @game_date
),

team_last_10 AS (
  SELECT
    team_abbr,
    CAST(AVG(pace) AS FLOAT64) AS team_pace_last_10,
    CAST(AVG(offensive_rating) AS FLOAT64) AS team_off_rating_last_10
  FROM team_games
  WHERE recency <= 10
  GROUP BY team_abbr
),

shot_zones AS (
  SELECT player_lookup, primary_scoring_zone, paint_rate_last_10, three_pt_rate_last_10, assisted_rate_last_10
  FROM `{{ project }}.{{ nba_precompute }}.player_shot_zone_analysis`
  WHERE analysis_date = @game_date
),

-- Completeness windows follow the team in the upcoming context: its final
-- games of the season (schedule) before @game_date, numbered from the latest.
team_schedule AS (
  {{ include phase4/shared/final_team_games.sql }}
),

-- Per window: expected = the team's games in it, actual = those the player
-- played. Game windows: last 5 / 10 team games. Day windows: team games on
-- the 7 / 14 days before @game_date (the same window as games_in_last_7_days).
window_counts AS (
  SELECT
    u.player_lookup,
    COUNTIF(s.recency <= 5) AS l5_expected,
    COUNTIF(s.recency <= 5 AND p.game_id IS NOT NULL) AS l5_actual,
    COUNTIF(s.recency <= 10) AS l10_expected,
    COUNTIF(s.recency <= 10 AND p.game_id IS NOT NULL) AS l10_actual,
    COUNTIF(s.game_date >= DATE_SUB(@game_date, INTERVAL 7 DAY)) AS l7d_expected,
    COUNTIF(s.game_date >= DATE_SUB(@game_date, INTERVAL 7 DAY) AND p.game_id IS NOT NULL) AS l7d_actual,
    COUNTIF(s.game_date >= DATE_SUB(@game_date, INTERVAL 14 DAY)) AS l14d_expected,
    COUNTIF(s.game_date >= DATE_SUB(@game_date, INTERVAL 14 DAY) AND p.game_id IS NOT NULL) AS l14d_actual
  FROM upcoming_players AS u
  JOIN team_schedule AS s
    ON s.team_abbr = u.team_abbr
   AND (s.recency <= 10 OR s.game_date >= DATE_SUB(@game_date, INTERVAL 14 DAY))
  LEFT JOIN played_games AS p
    ON p.player_lookup = u.player_lookup AND p.game_id = s.game_id
  GROUP BY u.player_lookup
),

-- A window with nothing expected misses nothing: 100 % once the team has played a
-- final game this season (l10_expected > 0; e.g. the L7-day window right after the
-- All-Star break), 0 % before its first game. Game windows are empty only then.
window_completeness AS (
  SELECT
    player_lookup,
    l10_expected,
    l10_actual,
    IF(l5_expected = 0, IF(l10_expected > 0, 100.0, 0.0), 100 * l5_actual / l5_expected) AS l5_completeness_pct,
    IF(l10_expected = 0, 0.0, 100 * l10_actual / l10_expected) AS l10_completeness_pct,
    IF(l7d_expected = 0, IF(l10_expected > 0, 100.0, 0.0), 100 * l7d_actual / l7d_expected) AS l7d_completeness_pct,
    IF(l14d_expected = 0, IF(l10_expected > 0, 100.0, 0.0), 100 * l14d_actual / l14d_expected)
      AS l14d_completeness_pct
  FROM window_counts
),

cached AS (
  SELECT
    u.*,
    h.games_played_season,
    h.points_avg_season,
    h.player_usage_rate_season,
    h.points_avg_last_5,
    h.points_avg_last_10,
    h.points_std_last_10,
    h.minutes_avg_last_10,
    h.usage_rate_last_10,
    h.ts_pct_last_10,
    t.team_pace_last_10,
    t.team_off_rating_last_10,
    z.primary_scoring_zone,
    z.paint_rate_last_10,
    z.three_pt_rate_last_10,
    z.assisted_rate_last_10 / 100 AS assisted_fraction_last_10,
    COALESCE(c.l10_expected, 0) AS expected_games_count,
    COALESCE(c.l10_actual, 0) AS actual_games_count,
    COALESCE(c.l5_completeness_pct, 0.0) AS l5_completeness_pct,
    COALESCE(c.l10_completeness_pct, 0.0) AS l10_completeness_pct,
    COALESCE(c.l7d_completeness_pct, 0.0) AS l7d_completeness_pct,
    COALESCE(c.l14d_completeness_pct, 0.0) AS l14d_completeness_pct
  FROM upcoming_players AS u
  JOIN player_history AS h USING (player_lookup)
  JOIN shot_zones AS z USING (player_lookup)          -- no P2 row: skipped
  LEFT JOIN team_last_10 AS t ON t.team_abbr = u.team_abbr
  LEFT JOIN window_completeness AS c USING (player_lookup)
  WHERE h.games_played_season >= 5
),

scored AS (
  SELECT
    *,
    l5_completeness_pct >= 90 AND l10_completeness_pct >= 90
      AND l7d_completeness_pct >= 90 AND l14d_completeness_pct >= 90 AS all_windows_complete
  FROM cached
)

SELECT
  player_lookup,
  universal_player_id,
  @game_date AS cache_date,
  @season_year AS season_year,
  team_abbr,
  'v1' AS cache_version,
  points_avg_last_5,
  points_avg_last_10,
  points_avg_season,
  points_std_last_10,
  minutes_avg_last_10,
  usage_rate_last_10,
  ts_pct_last_10,
  games_played_season,
  player_usage_rate_season,
  team_pace_last_10,
  team_off_rating_last_10,
  games_in_last_7_days,
  games_in_last_14_days,
  CAST(minutes_in_last_7_days AS FLOAT64) AS minutes_in_last_7_days,
  CAST(minutes_in_last_14_days AS FLOAT64) AS minutes_in_last_14_days,
  back_to_backs_last_14_days,
  CAST(avg_minutes_per_game_last_7 AS FLOAT64) AS avg_minutes_per_game_last_7,
  player_age,
  primary_scoring_zone,
  paint_rate_last_10,
  three_pt_rate_last_10,
  assisted_fraction_last_10 AS assisted_rate_last_10,
  l5_completeness_pct,
  l10_completeness_pct,
  l7d_completeness_pct,
  l14d_completeness_pct,
  all_windows_complete,
  -- The common completeness columns describe the 10-game window.
  expected_games_count,
  actual_games_count,
  l10_completeness_pct AS completeness_percentage,
  all_windows_complete AS is_production_ready,
  ARRAY_CONCAT(
    IF(l5_completeness_pct >= 90, ARRAY<STRING>[], ['l5_games_incomplete']),
    IF(l10_completeness_pct >= 90, ARRAY<STRING>[], ['l10_games_incomplete']),
    IF(l7d_completeness_pct >= 90, ARRAY<STRING>[], ['l7d_games_incomplete']),
    IF(l14d_completeness_pct >= 90, ARRAY<STRING>[], ['l14d_games_incomplete']),
    IF(team_pace_last_10 IS NULL, ['team_offense_missing'], ARRAY<STRING>[])
  ) AS data_quality_issues,
  games_played_season < 10 AS early_season_flag,
  IF(games_played_season < 10, 'early_season_short_sample', 'computed') AS processing_decision_reason,
  CURRENT_TIMESTAMP() AS processed_at,
  CURRENT_TIMESTAMP() AS created_at
FROM scored
