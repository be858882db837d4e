-- Predictions record the feature row they were computed from (player_prop_predictions.sql
-- has the column; a table created before it gets it here). Idempotent: create_schema() runs it every time.
ALTER TABLE `{{ project }}.{{ nba_predictions }}.player_prop_predictions`
ADD COLUMN IF NOT EXISTS feature_data_hash STRING
