-- Phase 3: one row per team per game, what the team did.
CREATE TABLE IF NOT EXISTS `{{ project }}.{{ nba_analytics }}.team_offense_game_summary` (
  game_id STRING NOT NULL,
  game_date DATE NOT NULL,
  season_year INT64 NOT NULL,
  team_abbr STRING NOT NULL,
  opponent_team_abbr STRING NOT NULL,
  points_scored INT64,
  fg_attempts INT64,
  fg_makes INT64,
  three_pt_attempts INT64,
  three_pt_makes INT64,
  ft_attempts INT64,
  ft_makes INT64,
  offensive_rebounds INT64,
  turnovers INT64,
  assists INT64,
  possessions NUMERIC(6, 2),        -- FGA + 0.44 x FTA + TOV - ORB
  pace NUMERIC(5, 1),               -- possessions x 48 / game minutes
  offensive_rating NUMERIC(6, 2),   -- points per 100 possessions
  game_minutes INT64,               -- 48, plus 5 per overtime
  home_game BOOL,
  win_flag BOOL
)
PARTITION BY game_date
CLUSTER BY team_abbr
