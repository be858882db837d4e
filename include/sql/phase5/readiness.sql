-- Phase 4 readiness for Phase 5: the night's feature rows, how many are production
-- ready, and whether the P5 processor has a successful (or partial) run for the date.
SELECT
  COUNT(*) AS players_total,
  COUNTIF(is_production_ready) AS players_ready,
  (SELECT COUNT(*)
     FROM `{{ project }}.{{ nba_reference }}.processor_run_history`
    WHERE processor_name = 'ml_feature_store_v2' AND data_date = @game_date
      AND status IN ('success', 'partial')) AS p5_completed_runs
FROM `{{ project }}.{{ nba_predictions }}.ml_feature_store_v2`
WHERE game_date = @game_date
