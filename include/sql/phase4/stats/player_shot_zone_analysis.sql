-- P2 validation figures for one night: rows, readiness, early-season rows, and
-- quality as the share of rows whose 10-game sample is excellent or good.
SELECT
  COUNT(*) AS row_count,
  COUNTIF(is_production_ready) AS production_ready,
  COUNTIF(early_season_flag) AS early_season_rows,
  100.0 * SAFE_DIVIDE(COUNTIF(sample_quality_10 IN ('excellent', 'good')), COUNT(*)) AS quality
FROM `{{ project }}.{{ nba_precompute }}.player_shot_zone_analysis`
WHERE analysis_date = @game_date
