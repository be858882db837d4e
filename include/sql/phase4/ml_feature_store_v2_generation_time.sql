-- P5: stamp the night's rows with the elapsed time of the statement that
-- produced them (one set-based statement for the whole night, so every row
-- shares it). Runs inside the write transaction, before validation.
UPDATE `{{ project }}.{{ nba_predictions }}.ml_feature_store_v2`
SET feature_generation_time_ms = @elapsed_ms
WHERE game_date = @game_date
