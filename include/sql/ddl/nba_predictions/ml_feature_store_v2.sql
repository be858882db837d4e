-- P5: the 25 model features of each player expected to play on game_date.
CREATE TABLE IF NOT EXISTS `{{ project }}.{{ nba_predictions }}.ml_feature_store_v2` (
  player_lookup STRING NOT NULL,
  universal_player_id STRING,
  game_date DATE NOT NULL,
  game_id STRING,
  season_year INT64 NOT NULL,
  team_abbr STRING,
  opponent_team_abbr STRING,
  is_home BOOL,
  days_rest INT64,
  feature_version STRING,             -- v1_baseline_25
  feature_count INT64,
  features ARRAY<FLOAT64>,
  feature_names ARRAY<STRING>,
  feature_sources ARRAY<STRING>,      -- phase4, phase3, calculated, default per feature
  feature_quality_score NUMERIC(5, 2),
  quality_tier STRING,                -- gold, silver, bronze, poor, unusable
  data_source STRING,                 -- phase4, phase4_partial, phase3, mixed, early_season
  source_daily_cache_rows_found INT64,
  source_daily_cache_present BOOL,
  source_composite_rows_found INT64,
  source_composite_present BOOL,
  source_shot_zones_rows_found INT64,
  source_shot_zones_present BOOL,
  source_team_defense_rows_found INT64,
  source_team_defense_present BOOL,
  feature_generation_time_ms INT64,
  data_hash STRING,                   -- SHA-256 of the business fields
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
PARTITION BY game_date
CLUSTER BY player_lookup
