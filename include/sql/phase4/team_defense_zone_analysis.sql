-- P1 team_defense_zone_analysis: each team's zone defense over its last 15
-- games before @game_date, against league averages of the last 30 days.
-- Only games strictly before @game_date are read (no leakage).
WITH team_games AS (
  SELECT
    *,
    ROW_NUMBER() OVER (PARTITION BY defending_team_abbr ORDER BY game_date DESC, game_id DESC) AS recency
  FROM `{{ project }}.{{ nba_analytics }}.team_defense_game_summary`
  WHERE season_year = @season_year AND game_date < @game_date
),

last_15 AS (
  SELECT
    defending_team_abbr AS team_abbr,
    COUNT(*) AS games_in_sample,
    SAFE_DIVIDE(SUM(opp_paint_makes), SUM(opp_paint_attempts)) AS paint_pct,
    SAFE_DIVIDE(SUM(opp_mid_range_makes), SUM(opp_mid_range_attempts)) AS mid_range_pct,
    SAFE_DIVIDE(SUM(opp_three_pt_makes), SUM(opp_three_pt_attempts)) AS three_pt_pct,
    SUM(opp_paint_attempts) / COUNT(*) AS paint_attempts_allowed_per_game,
    SUM(points_in_paint_allowed) / COUNT(*) AS paint_points_allowed_per_game,
    SUM(opp_mid_range_attempts) / COUNT(*) AS mid_range_attempts_allowed_per_game,
    SUM(opp_three_pt_attempts) / COUNT(*) AS three_pt_attempts_allowed_per_game,
    SUM(blocks_paint) / COUNT(*) AS paint_blocks_per_game,
    SUM(blocks_mid_range) / COUNT(*) AS mid_range_blocks_per_game,
    SUM(blocks_three_pt) / COUNT(*) AS three_pt_blocks_per_game,
    CAST(AVG(defensive_rating) AS FLOAT64) AS defensive_rating_last_15,
    AVG(points_allowed) AS opponent_points_per_game,
    CAST(AVG(opponent_pace) AS FLOAT64) AS opponent_pace
  FROM team_games
  WHERE recency <= 15
  GROUP BY defending_team_abbr
),

-- League averages: mean of per-team zone pcts over the last 30 days, over
-- teams with at least 10 games in that window; defaults below 10 such teams.
last_30_days AS (
  SELECT
    defending_team_abbr,
    COUNT(*) AS games,
    SAFE_DIVIDE(SUM(opp_paint_makes), SUM(opp_paint_attempts)) AS paint_pct,
    SAFE_DIVIDE(SUM(opp_mid_range_makes), SUM(opp_mid_range_attempts)) AS mid_range_pct,
    SAFE_DIVIDE(SUM(opp_three_pt_makes), SUM(opp_three_pt_attempts)) AS three_pt_pct
  FROM team_games
  WHERE game_date >= DATE_SUB(@game_date, INTERVAL 30 DAY)
  GROUP BY defending_team_abbr
),

-- Rounded: a float AVG's last bits depend on summation order, and reruns must be identical.
league AS (
  SELECT
    COUNTIF(games >= 10) AS teams,
    ROUND(AVG(IF(games >= 10, paint_pct, NULL)), 9) AS paint_pct,
    ROUND(AVG(IF(games >= 10, mid_range_pct, NULL)), 9) AS mid_range_pct,
    ROUND(AVG(IF(games >= 10, three_pt_pct, NULL)), 9) AS three_pt_pct
  FROM last_30_days
),

league_avg AS (
  SELECT
    teams,
    IF(teams >= 10, paint_pct, 0.580) AS paint_pct,
    IF(teams >= 10, mid_range_pct, 0.410) AS mid_range_pct,
    IF(teams >= 10, three_pt_pct, 0.355) AS three_pt_pct
  FROM league
),

-- Completeness: the team's final games in the schedule (last 15) vs the ones with box scores.
scheduled_team_games AS (
  {{ include phase4/shared/final_team_games.sql }}
),

completeness AS (
  SELECT
    s.team_abbr,
    COUNT(*) AS expected_games_count,
    COUNTIF(g.game_id IS NOT NULL) AS actual_games_count
  FROM scheduled_team_games AS s
  LEFT JOIN team_games AS g
    ON g.defending_team_abbr = s.team_abbr AND g.game_id = s.game_id
  WHERE s.recency <= 15
  GROUP BY s.team_abbr
),

scored AS (
  SELECT
    t.*,
    l.teams AS league_avg_teams_in_sample,
    l.paint_pct AS league_avg_paint_pct,
    l.mid_range_pct AS league_avg_mid_range_pct,
    l.three_pt_pct AS league_avg_three_pt_pct,
    (t.paint_pct - l.paint_pct) * 100 AS paint_defense_vs_league_avg,
    (t.mid_range_pct - l.mid_range_pct) * 100 AS mid_range_defense_vs_league_avg,
    (t.three_pt_pct - l.three_pt_pct) * 100 AS three_pt_defense_vs_league_avg,
    COALESCE(c.expected_games_count, 0) AS expected_games_count,
    COALESCE(c.actual_games_count, 0) AS actual_games_count
  FROM last_15 AS t
  CROSS JOIN league_avg AS l
  LEFT JOIN completeness AS c USING (team_abbr)
)

SELECT
  team_abbr,
  @game_date AS analysis_date,
  @season_year AS season_year,
  paint_pct AS paint_pct_allowed_last_15,
  mid_range_pct AS mid_range_pct_allowed_last_15,
  three_pt_pct AS three_pt_pct_allowed_last_15,
  paint_attempts_allowed_per_game,
  paint_points_allowed_per_game,
  mid_range_attempts_allowed_per_game,
  three_pt_attempts_allowed_per_game,
  paint_blocks_per_game,
  mid_range_blocks_per_game,
  three_pt_blocks_per_game,
  defensive_rating_last_15,
  opponent_points_per_game,
  opponent_pace,
  games_in_sample,
  league_avg_paint_pct,
  league_avg_mid_range_pct,
  league_avg_three_pt_pct,
  league_avg_teams_in_sample,
  paint_defense_vs_league_avg,
  mid_range_defense_vs_league_avg,
  three_pt_defense_vs_league_avg,
  -- Ties resolve in the order paint, mid_range, perimeter.
  CASE
    WHEN paint_defense_vs_league_avg <= mid_range_defense_vs_league_avg
     AND paint_defense_vs_league_avg <= three_pt_defense_vs_league_avg THEN 'paint'
    WHEN mid_range_defense_vs_league_avg <= three_pt_defense_vs_league_avg THEN 'mid_range'
    ELSE 'perimeter'
  END AS strongest_zone,
  CASE
    WHEN paint_defense_vs_league_avg >= mid_range_defense_vs_league_avg
     AND paint_defense_vs_league_avg >= three_pt_defense_vs_league_avg THEN 'paint'
    WHEN mid_range_defense_vs_league_avg >= three_pt_defense_vs_league_avg THEN 'mid_range'
    ELSE 'perimeter'
  END AS weakest_zone,
  CASE WHEN games_in_sample >= 15 THEN 'high' WHEN games_in_sample >= 10 THEN 'medium' ELSE 'low' END
    AS data_quality_tier,
  expected_games_count,
  actual_games_count,
  -- A game window is empty only before the team's first final game: 0 % (the spec's rule).
  IF(expected_games_count = 0, 0.0, 100.0 * actual_games_count / expected_games_count) AS completeness_percentage,
  expected_games_count > 0 AND 100.0 * actual_games_count / expected_games_count >= 90 AS is_production_ready,
  IF(expected_games_count > 0 AND 100.0 * actual_games_count / expected_games_count >= 90,
     ARRAY<STRING>[], ['team_defense_games_incomplete']) AS data_quality_issues,
  @early_season AS early_season_flag,
  IF(@early_season, 'early_season_short_sample', 'computed') AS processing_decision_reason,
  CURRENT_TIMESTAMP() AS processed_at,
  CURRENT_TIMESTAMP() AS created_at
FROM scored
