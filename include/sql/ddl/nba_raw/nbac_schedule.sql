-- The season schedule: one row per game, the source of truth for which games exist.
CREATE TABLE IF NOT EXISTS `{{ project }}.{{ nba_raw }}.nbac_schedule` (
  game_id STRING NOT NULL,          -- YYYYMMDD_AWAY_HOME
  game_date DATE NOT NULL,
  season_year INT64 NOT NULL,       -- year the season starts (2024 for 2024-25)
  home_team_abbr STRING NOT NULL,
  away_team_abbr STRING NOT NULL,
  game_status INT64 NOT NULL,       -- 1 = scheduled, 3 = final
  game_start_time_et TIMESTAMP,
  is_all_star_break BOOL
)
PARTITION BY game_date
CLUSTER BY home_team_abbr, away_team_abbr
