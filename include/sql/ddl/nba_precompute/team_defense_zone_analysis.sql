-- P1: each team's zone defense over its last 15 games before analysis_date (~30 rows a night).
CREATE TABLE IF NOT EXISTS `{{ project }}.{{ nba_precompute }}.team_defense_zone_analysis` (
  team_abbr STRING NOT NULL,
  analysis_date DATE NOT NULL,
  season_year INT64 NOT NULL,
  paint_pct_allowed_last_15 FLOAT64,
  mid_range_pct_allowed_last_15 FLOAT64,
  three_pt_pct_allowed_last_15 FLOAT64,
  paint_attempts_allowed_per_game FLOAT64,
  paint_points_allowed_per_game FLOAT64,
  mid_range_attempts_allowed_per_game FLOAT64,
  three_pt_attempts_allowed_per_game FLOAT64,
  paint_blocks_per_game FLOAT64,
  mid_range_blocks_per_game FLOAT64,
  three_pt_blocks_per_game FLOAT64,
  defensive_rating_last_15 FLOAT64,
  opponent_points_per_game FLOAT64,
  opponent_pace FLOAT64,
  games_in_sample INT64,
  league_avg_paint_pct FLOAT64,
  league_avg_mid_range_pct FLOAT64,
  league_avg_three_pt_pct FLOAT64,
  league_avg_teams_in_sample INT64,   -- teams with >= 10 games behind the league averages
  paint_defense_vs_league_avg FLOAT64,      -- percentage points; positive = worse defense
  mid_range_defense_vs_league_avg FLOAT64,
  three_pt_defense_vs_league_avg FLOAT64,
  strongest_zone STRING,              -- paint, mid_range, perimeter
  weakest_zone STRING,
  data_quality_tier STRING,           -- high, medium, low
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
CLUSTER BY team_abbr
