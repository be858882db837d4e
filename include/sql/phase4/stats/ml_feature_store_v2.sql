-- P5 validation figures for one night: rows, readiness, and quality as the
-- average feature_quality_score (placeholders count as 0).
SELECT
  COUNT(*) AS row_count,
  COUNTIF(is_production_ready) AS production_ready,
  COUNTIF(early_season_flag) AS early_season_rows,
  CAST(AVG(feature_quality_score) AS FLOAT64) AS quality
FROM `{{ project }}.{{ nba_predictions }}.ml_feature_store_v2`
WHERE game_date = @game_date
