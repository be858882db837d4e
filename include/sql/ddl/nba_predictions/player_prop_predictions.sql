-- Predictions, one active row per (player, game_date, system). Written by the prediction workers.
CREATE TABLE IF NOT EXISTS `{{ project }}.{{ nba_predictions }}.player_prop_predictions` (
  prediction_id STRING NOT NULL,
  system_id STRING NOT NULL,
  player_lookup STRING NOT NULL,
  game_date DATE NOT NULL,
  game_id STRING,
  predicted_points NUMERIC(5, 1),
  confidence_score FLOAT64,           -- 0-1
  recommendation STRING,              -- OVER, UNDER, PASS
  current_points_line NUMERIC(4, 1),
  line_margin NUMERIC(5, 1),          -- predicted - line
  batch_id STRING,
  feature_quality_score NUMERIC(5, 2),
  is_active BOOL NOT NULL,
  created_at TIMESTAMP,
  feature_data_hash STRING            -- the ml_feature_store_v2 data_hash the prediction was computed from
)
PARTITION BY game_date
CLUSTER BY system_id, player_lookup
