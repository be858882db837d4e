-- Phase 3: one row per team per game, what the opponent did against it.
CREATE TABLE IF NOT EXISTS `{{ project }}.{{ nba_analytics }}.team_defense_game_summary` (
  game_id STRING NOT NULL,
  game_date DATE NOT NULL,
  season_year INT64 NOT NULL,
  defending_team_abbr STRING NOT NULL,
  opponent_team_abbr STRING NOT NULL,
  points_allowed INT64,
  opp_fg_attempts INT64,
  opp_fg_makes INT64,
  opp_three_pt_attempts INT64,
  opp_three_pt_makes INT64,
  opp_ft_attempts INT64,
  opp_ft_makes INT64,
  opp_paint_attempts INT64,
  opp_paint_makes INT64,
  opp_mid_range_attempts INT64,
  opp_mid_range_makes INT64,
  points_in_paint_allowed INT64,
  blocks_paint INT64,
  blocks_mid_range INT64,
  blocks_three_pt INT64,
  steals INT64,
  defensive_rebounds INT64,
  turnovers_forced INT64,
  defensive_rating NUMERIC(6, 2),   -- points allowed per 100 possessions
  opponent_pace NUMERIC(5, 1),
  home_game BOOL,
  win_flag BOOL
)
PARTITION BY game_date
CLUSTER BY defending_team_abbr
