-- The coordinator's player sets for a night:
--   eligible E: expected to play, projected minutes >= @min_minutes, not OUT or DOUBTFUL;
--   ready R: E with a production-ready feature row; predicted P: an active prediction;
--   outdated: E with an active prediction computed from a feature row whose data_hash
--   has changed since (a prediction without a feature_data_hash is never outdated);
--   ready_unpredicted: R without a current active prediction (none, or outdated).
-- The feature row is the latest one per player, as the worker reads it.
WITH eligible AS (
  SELECT DISTINCT player_lookup
  FROM `{{ project }}.{{ nba_analytics }}.upcoming_player_game_context`
  WHERE game_date = @game_date
    AND avg_minutes_per_game_last_7 >= @min_minutes
    AND LOWER(COALESCE(player_status, 'available')) NOT IN ('out', 'doubtful')
),
feature_rows AS (
  SELECT player_lookup, is_production_ready, data_hash
  FROM `{{ project }}.{{ nba_predictions }}.ml_feature_store_v2`
  WHERE game_date = @game_date
  QUALIFY ROW_NUMBER() OVER (PARTITION BY player_lookup ORDER BY processed_at DESC) = 1
),
ready AS (
  SELECT e.player_lookup
  FROM eligible AS e
  JOIN feature_rows AS f ON f.player_lookup = e.player_lookup AND f.is_production_ready
),
predicted AS (
  {{ include phase5/shared/active_predictions.sql }}
)
SELECT
  (SELECT COUNT(*) FROM eligible) AS eligible,
  (SELECT COUNT(*) FROM ready) AS ready,
  (SELECT COUNT(*) FROM predicted) AS predicted,
  (SELECT COUNT(*) FROM eligible JOIN predicted USING (player_lookup)) AS eligible_predicted,
  (SELECT COUNT(*) FROM ready LEFT JOIN predicted USING (player_lookup)
    WHERE predicted.player_lookup IS NULL OR predicted.outdated) AS ready_unpredicted,
  (SELECT COUNT(*) FROM eligible JOIN predicted USING (player_lookup)
    WHERE predicted.outdated) AS outdated
