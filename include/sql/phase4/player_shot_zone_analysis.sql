-- P2 player_shot_zone_analysis: each player's shot zones over his last 10 and
-- 20 played games of the season before @game_date.
-- A played game = an active row with minutes > 0. Only games strictly before
-- @game_date are read (no leakage).
WITH played_games AS (
  SELECT
    player_lookup,
    game_id,
    game_date,
    paint_attempts,
    paint_makes,
    mid_range_attempts,
    mid_range_makes,
    three_pt_attempts,
    three_pt_makes,
    fg_makes,
    assisted_fg_makes,
    unassisted_fg_makes,
    ROW_NUMBER() OVER (PARTITION BY player_lookup ORDER BY game_date DESC, game_id DESC) AS recency
  FROM `{{ project }}.{{ nba_analytics }}.player_game_summary`
  WHERE season_year = @season_year AND game_date < @game_date
    AND is_active AND minutes_played > 0
),

-- Identity and current team come from the player's most recent row of the
-- season (played or only listed), so a traded player who has not yet played
-- for his new team already follows it.
latest_row AS (
  SELECT player_lookup, universal_player_id, team_abbr
  FROM `{{ project }}.{{ nba_analytics }}.player_game_summary`
  WHERE season_year = @season_year AND game_date < @game_date
  QUALIFY ROW_NUMBER() OVER (PARTITION BY player_lookup ORDER BY game_date DESC, game_id DESC) = 1
),

last_10 AS (
  SELECT
    player_lookup,
    COUNT(*) AS games_in_sample_10,
    MAX(game_date) AS last_played_date,
    SUM(paint_attempts) AS paint_attempts,
    SUM(paint_makes) AS paint_makes,
    SUM(mid_range_attempts) AS mid_range_attempts,
    SUM(mid_range_makes) AS mid_range_makes,
    SUM(three_pt_attempts) AS three_pt_attempts,
    SUM(three_pt_makes) AS three_pt_makes,
    SUM(paint_attempts + mid_range_attempts + three_pt_attempts) AS total_shots,
    SUM(fg_makes) AS fg_makes,
    SUM(assisted_fg_makes) AS assisted_fg_makes,
    SUM(unassisted_fg_makes) AS unassisted_fg_makes
  FROM played_games
  WHERE recency <= 10
  GROUP BY player_lookup
),

last_20 AS (
  SELECT
    player_lookup,
    COUNT(*) AS games_in_sample_20,
    SUM(paint_attempts) AS paint_attempts,
    SUM(paint_makes) AS paint_makes,
    SUM(paint_attempts + mid_range_attempts + three_pt_attempts) AS total_shots
  FROM played_games
  WHERE recency <= 20
  GROUP BY player_lookup
),

-- Who gets a row: 10 played games; in the early season (days 7-20) also any
-- player who played in the last 30 days, with the games there are.
eligible_players AS (
  SELECT
    player_lookup,
    games_in_sample_10 < 10 AS short_sample
  FROM last_10
  WHERE games_in_sample_10 >= 10
     OR (@early_season AND last_played_date >= DATE_SUB(@game_date, INTERVAL 30 DAY))
),

-- Completeness: the current team's last 10 final games of the season (from
-- the schedule) against the ones the player played.
team_schedule AS (
  {{ include phase4/shared/final_team_games.sql }}
),

completeness AS (
  SELECT
    e.player_lookup,
    COUNT(s.game_id) AS expected_games_count,
    COUNT(p.game_id) AS actual_games_count
  FROM eligible_players AS e
  JOIN latest_row AS r USING (player_lookup)
  LEFT JOIN team_schedule AS s
    ON s.team_abbr = r.team_abbr AND s.recency <= 10
  LEFT JOIN played_games AS p
    ON p.player_lookup = e.player_lookup AND p.game_id = s.game_id
  GROUP BY e.player_lookup
),

-- Rates are computed multiply-first (100 * part / whole) so that exact
-- boundaries such as 8 of 20 attempts give exactly 40.0.
zones AS (
  SELECT
    e.player_lookup,
    e.short_sample,
    r.universal_player_id,
    r.team_abbr,
    SAFE_DIVIDE(100 * t.paint_attempts, t.total_shots) AS paint_rate_last_10,
    SAFE_DIVIDE(100 * t.mid_range_attempts, t.total_shots) AS mid_range_rate_last_10,
    SAFE_DIVIDE(100 * t.three_pt_attempts, t.total_shots) AS three_pt_rate_last_10,
    SAFE_DIVIDE(t.paint_makes, t.paint_attempts) AS paint_pct_last_10,
    SAFE_DIVIDE(t.mid_range_makes, t.mid_range_attempts) AS mid_range_pct_last_10,
    SAFE_DIVIDE(t.three_pt_makes, t.three_pt_attempts) AS three_pt_pct_last_10,
    t.paint_attempts / t.games_in_sample_10 AS paint_attempts_per_game,
    t.mid_range_attempts / t.games_in_sample_10 AS mid_range_attempts_per_game,
    t.three_pt_attempts / t.games_in_sample_10 AS three_pt_attempts_per_game,
    CAST(t.total_shots AS INT64) AS total_shots_last_10,
    t.games_in_sample_10,
    SAFE_DIVIDE(100 * t.assisted_fg_makes, t.fg_makes) AS assisted_rate_last_10,
    SAFE_DIVIDE(100 * t.unassisted_fg_makes, t.fg_makes) AS unassisted_rate_last_10,
    SAFE_DIVIDE(100 * w.paint_attempts, w.total_shots) AS paint_rate_last_20,
    -- Paint FG% over 20 games only with a sample of at least 15 games.
    IF(w.games_in_sample_20 >= 15, SAFE_DIVIDE(w.paint_makes, w.paint_attempts), NULL) AS paint_pct_last_20,
    w.games_in_sample_20,
    c.expected_games_count,
    c.actual_games_count
  FROM eligible_players AS e
  JOIN latest_row AS r USING (player_lookup)
  JOIN last_10 AS t USING (player_lookup)
  JOIN last_20 AS w USING (player_lookup)
  JOIN completeness AS c USING (player_lookup)
),

scored AS (
  SELECT
    *,
    -- A game window is empty only before the team's first final game: 0 % (the spec's rule).
    IF(expected_games_count = 0, 0.0, 100 * actual_games_count / expected_games_count) AS completeness_percentage
  FROM zones
)

SELECT
  player_lookup,
  universal_player_id,
  team_abbr,
  @game_date AS analysis_date,
  @season_year AS season_year,
  paint_rate_last_10,
  mid_range_rate_last_10,
  three_pt_rate_last_10,
  paint_pct_last_10,
  mid_range_pct_last_10,
  three_pt_pct_last_10,
  paint_attempts_per_game,
  mid_range_attempts_per_game,
  three_pt_attempts_per_game,
  total_shots_last_10,
  games_in_sample_10,
  assisted_rate_last_10,
  unassisted_rate_last_10,
  paint_rate_last_20,
  paint_pct_last_20,
  games_in_sample_20,
  -- Share of the window filled: full = excellent, >= 70 % good, >= 50 % limited.
  CASE
    WHEN games_in_sample_10 >= 10 THEN 'excellent'
    WHEN 100 * games_in_sample_10 >= 70 * 10 THEN 'good'
    WHEN 100 * games_in_sample_10 >= 50 * 10 THEN 'limited'
    ELSE 'insufficient'
  END AS sample_quality_10,
  CASE
    WHEN games_in_sample_20 >= 20 THEN 'excellent'
    WHEN 100 * games_in_sample_20 >= 70 * 20 THEN 'good'
    WHEN 100 * games_in_sample_20 >= 50 * 20 THEN 'limited'
    ELSE 'insufficient'
  END AS sample_quality_20,
  -- Inclusive boundaries, checked in this order; NULL without a shot.
  CASE
    WHEN total_shots_last_10 = 0 THEN NULL
    WHEN paint_rate_last_10 >= 40 THEN 'paint'
    WHEN three_pt_rate_last_10 >= 40 THEN 'perimeter'
    WHEN mid_range_rate_last_10 >= 35 THEN 'mid_range'
    ELSE 'balanced'
  END AS primary_scoring_zone,
  -- Rows admitted only by the early-season exception (< 10 games) are 'low'
  -- as the spec says; otherwise the tier follows the games in the 10-game window.
  CASE
    WHEN short_sample THEN 'low'
    WHEN games_in_sample_10 >= 10 THEN 'high'
    WHEN games_in_sample_10 >= 7 THEN 'medium'
    ELSE 'low'
  END AS data_quality_tier,
  expected_games_count,
  actual_games_count,
  completeness_percentage,
  expected_games_count > 0 AND completeness_percentage >= 90 AS is_production_ready,
  ARRAY_CONCAT(
    IF(expected_games_count > 0 AND completeness_percentage >= 90, ARRAY<STRING>[], ['player_games_incomplete']),
    IF(short_sample, ['early_season_short_sample'], ARRAY<STRING>[])
  ) AS data_quality_issues,
  -- Every row of an early-season night carries the flag (as in P1).
  @early_season AS early_season_flag,
  CASE
    WHEN short_sample THEN 'early_season_short_sample'
    WHEN @early_season THEN 'early_season'
    ELSE 'computed'
  END AS processing_decision_reason,
  CURRENT_TIMESTAMP() AS processed_at,
  CURRENT_TIMESTAMP() AS created_at
FROM scored
