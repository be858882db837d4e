-- Phase 3: one row per player per game played or listed.
CREATE TABLE IF NOT EXISTS `{{ project }}.{{ nba_analytics }}.player_game_summary` (
  player_lookup STRING NOT NULL,
  universal_player_id STRING NOT NULL,
  player_full_name STRING,
  game_id STRING NOT NULL,
  game_date DATE NOT NULL,
  season_year INT64 NOT NULL,
  team_abbr STRING NOT NULL,
  opponent_team_abbr STRING NOT NULL,
  home_game BOOL,
  is_active BOOL NOT NULL,
  minutes_played NUMERIC(5, 1),
  points INT64,
  assists INT64,
  offensive_rebounds INT64,
  defensive_rebounds INT64,
  steals INT64,
  blocks INT64,
  turnovers INT64,
  personal_fouls INT64,
  fg_attempts INT64,
  fg_makes INT64,
  three_pt_attempts INT64,
  three_pt_makes INT64,
  ft_attempts INT64,
  ft_makes INT64,
  paint_attempts INT64,             -- shots at 8 ft or closer
  paint_makes INT64,
  mid_range_attempts INT64,         -- other two-point shots
  mid_range_makes INT64,
  assisted_fg_makes INT64,
  unassisted_fg_makes INT64,
  usage_rate NUMERIC(5, 2),
  starter_flag BOOL,
  win_flag BOOL,
  points_line NUMERIC(4, 1)         -- the points prop line for the game, may be NULL
)
PARTITION BY game_date
CLUSTER BY player_lookup, team_abbr
