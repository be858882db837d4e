-- The counts of the Phase 4 completion message: players expected on the night
-- (upcoming context), feature rows written, and rows production ready.
SELECT
  (SELECT COUNT(DISTINCT player_lookup)
     FROM `{{ project }}.{{ nba_analytics }}.upcoming_player_game_context`
    WHERE game_date = @game_date) AS players_expected,
  COUNT(*) AS players_processed,
  COUNTIF(is_production_ready) AS players_ready
FROM `{{ project }}.{{ nba_predictions }}.ml_feature_store_v2`
WHERE game_date = @game_date
