-- Phase 3: one row per team playing on game_date.
CREATE TABLE IF NOT EXISTS `{{ project }}.{{ nba_analytics }}.upcoming_team_game_context` (
  team_abbr STRING NOT NULL,
  game_id STRING NOT NULL,
  game_date DATE NOT NULL,
  season_year INT64 NOT NULL,
  opponent_team_abbr STRING NOT NULL,
  home_game BOOL,
  team_days_rest INT64,
  team_back_to_back BOOL,
  game_spread NUMERIC(4, 1),        -- negative = favored
  game_total NUMERIC(5, 1),
  games_in_last_7_days INT64
)
PARTITION BY game_date
CLUSTER BY team_abbr
