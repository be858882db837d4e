-- P3: the composite adjustment factors of each player expected to play on game_date.
CREATE TABLE IF NOT EXISTS `{{ project }}.{{ nba_precompute }}.player_composite_factors` (
  player_lookup STRING NOT NULL,
  universal_player_id STRING,
  game_date DATE NOT NULL,
  game_id STRING,
  season_year INT64 NOT NULL,
  team_abbr STRING,
  opponent_team_abbr STRING,
  calculation_version STRING,         -- v1_4factors
  fatigue_score INT64,                -- 0-100, higher = fresher
  fatigue_adjustment FLOAT64,         -- (fatigue_score - 100) / 20
  shot_zone_mismatch_score FLOAT64,   -- -10 to +10
  pace_score FLOAT64,                 -- -3 to +3
  usage_spike_score FLOAT64,          -- -3 to +3
  referee_favorability_score FLOAT64, -- deferred factors, always 0.0
  look_ahead_pressure_score FLOAT64,
  travel_impact_score FLOAT64,
  opponent_strength_score FLOAT64,
  total_composite_adjustment FLOAT64,
  data_completeness_pct FLOAT64,
  has_warnings BOOL,
  warning_details ARRAY<STRING>,
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
