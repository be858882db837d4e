-- P2: each player's shot zones over his last 10 and 20 games before analysis_date (~450 rows a night).
CREATE TABLE IF NOT EXISTS `{{ project }}.{{ nba_precompute }}.player_shot_zone_analysis` (
  player_lookup STRING NOT NULL,
  universal_player_id STRING,
  team_abbr STRING,
  analysis_date DATE NOT NULL,
  season_year INT64 NOT NULL,
  paint_rate_last_10 FLOAT64,         -- share of attempts, 0-100
  mid_range_rate_last_10 FLOAT64,
  three_pt_rate_last_10 FLOAT64,
  paint_pct_last_10 FLOAT64,          -- FG%, 0-1
  mid_range_pct_last_10 FLOAT64,
  three_pt_pct_last_10 FLOAT64,
  paint_attempts_per_game FLOAT64,
  mid_range_attempts_per_game FLOAT64,
  three_pt_attempts_per_game FLOAT64,
  total_shots_last_10 INT64,
  games_in_sample_10 INT64,
  assisted_rate_last_10 FLOAT64,      -- percent of FG makes
  unassisted_rate_last_10 FLOAT64,
  paint_rate_last_20 FLOAT64,
  paint_pct_last_20 FLOAT64,          -- NULL below 15 games
  games_in_sample_20 INT64,
  sample_quality_10 STRING,           -- excellent, good, limited, insufficient
  sample_quality_20 STRING,
  primary_scoring_zone STRING,        -- paint, perimeter, mid_range, balanced
  data_quality_tier STRING,
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
PARTITION BY analysis_date
CLUSTER BY player_lookup
