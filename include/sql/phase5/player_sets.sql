-- The coordinator's player sets for a night:
--   eligible E: expected to play, projected minutes >= @min_minutes, not OUT or DOUBTFUL;
--   ready R: E with a production-ready feature row; predicted P: an active prediction.
WITH eligible AS (
  SELECT DISTINCT player_lookup
  FROM `{{ project }}.{{ nba_analytics }}.upcoming_player_game_context`
  WHERE game_date = @game_date
    AND avg_minutes_per_game_last_7 >= @min_minutes
    AND LOWER(COALESCE(player_status, 'available')) NOT IN ('out', 'doubtful')
),
ready AS (
  SELECT DISTINCT e.player_lookup
  FROM eligible AS e
  JOIN `{{ project }}.{{ nba_predictions }}.ml_feature_store_v2` AS f
    ON f.player_lookup = e.player_lookup AND f.game_date = @game_date AND f.is_production_ready
),
predicted AS (
  SELECT DISTINCT player_lookup
  FROM `{{ project }}.{{ nba_predictions }}.player_prop_predictions`
  WHERE game_date = @game_date AND is_active
)
SELECT
  (SELECT COUNT(*) FROM eligible) AS eligible,
  (SELECT COUNT(*) FROM ready) AS ready,
  (SELECT COUNT(*) FROM predicted) AS predicted,
  (SELECT COUNT(*) FROM eligible JOIN predicted USING (player_lookup)) AS eligible_predicted,
  (SELECT COUNT(*) FROM ready LEFT JOIN predicted USING (player_lookup)
    WHERE predicted.player_lookup IS NULL) AS ready_unpredicted
