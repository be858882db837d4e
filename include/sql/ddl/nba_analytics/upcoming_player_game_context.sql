-- Phase 3: one row per player expected to play on game_date, built before the games.
CREATE TABLE IF NOT EXISTS `{{ project }}.{{ nba_analytics }}.upcoming_player_game_context` (
  player_lookup STRING NOT NULL,
  universal_player_id STRING NOT NULL,
  game_id STRING NOT NULL,
  game_date DATE NOT NULL,
  season_year INT64 NOT NULL,
  team_abbr STRING NOT NULL,
  opponent_team_abbr STRING NOT NULL,
  home_game BOOL,
  days_rest INT64,                  -- full days off since the last game: played yesterday = 0
  back_to_back BOOL,                -- days_rest = 0
  opponent_days_rest INT64,
  games_in_last_7_days INT64,
  games_in_last_14_days INT64,
  minutes_in_last_7_days NUMERIC(6, 1),
  minutes_in_last_14_days NUMERIC(6, 1),
  avg_minutes_per_game_last_7 NUMERIC(5, 1),
  back_to_backs_last_14_days INT64,
  player_age INT64,
  pace_differential NUMERIC(5, 1),  -- team pace over its last 10 games minus the opponent's
  projected_usage_rate NUMERIC(5, 2),
  avg_usage_rate_last_7_games NUMERIC(5, 2),
  star_teammates_out INT64,
  player_status STRING,             -- NULL, available, probable, questionable, doubtful, out
  season_phase STRING,              -- early, mid, late, playoffs
  current_points_line NUMERIC(4, 1),
  opening_points_line NUMERIC(4, 1)
)
PARTITION BY game_date
CLUSTER BY player_lookup, team_abbr
