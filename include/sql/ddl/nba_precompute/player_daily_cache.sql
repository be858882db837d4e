-- P4: per-player cache of rolling stats for each player expected to play on cache_date.
CREATE TABLE IF NOT EXISTS `{{ project }}.{{ nba_precompute }}.player_daily_cache` (
  player_lookup STRING NOT NULL,
  universal_player_id STRING,
  cache_date DATE NOT NULL,
  season_year INT64 NOT NULL,
  team_abbr STRING,
  cache_version STRING,               -- v1
  points_avg_last_5 FLOAT64,
  points_avg_last_10 FLOAT64,
  points_avg_season FLOAT64,
  points_std_last_10 FLOAT64,         -- sample standard deviation, NULL below 2 games
  minutes_avg_last_10 FLOAT64,
  usage_rate_last_10 FLOAT64,
  ts_pct_last_10 FLOAT64,
  games_played_season INT64,
  player_usage_rate_season FLOAT64,
  team_pace_last_10 FLOAT64,
  team_off_rating_last_10 FLOAT64,
  games_in_last_7_days INT64,
  games_in_last_14_days INT64,
  minutes_in_last_7_days FLOAT64,
  minutes_in_last_14_days FLOAT64,
  back_to_backs_last_14_days INT64,
  avg_minutes_per_game_last_7 FLOAT64,
  player_age INT64,
  primary_scoring_zone STRING,
  paint_rate_last_10 FLOAT64,
  three_pt_rate_last_10 FLOAT64,
  assisted_rate_last_10 FLOAT64,      -- 0-1 fraction
  l5_completeness_pct FLOAT64,
  l10_completeness_pct FLOAT64,
  l7d_completeness_pct FLOAT64,
  l14d_completeness_pct FLOAT64,
  all_windows_complete BOOL,
  expected_games_count INT64,
  actual_games_count INT64,
  completeness_percentage FLOAT64,
  is_production_ready BOOL,
  data_quality_issues ARRAY<STRING>,
  early_season_flag BOOL,
  processing_decision_reason STRING,
  processed_at TIMESTAMP,
  created_at TIMESTAMP
)
PARTITION BY cache_date
CLUSTER BY player_lookup
