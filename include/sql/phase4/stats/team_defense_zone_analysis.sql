-- P1 validation figures for one night: rows, readiness, and quality as the
-- share of teams with a full 15-game sample.
SELECT
  COUNT(*) AS row_count,
  COUNTIF(is_production_ready) AS production_ready,
  COUNTIF(early_season_flag) AS early_season_rows,
  100.0 * SAFE_DIVIDE(COUNTIF(data_quality_tier = 'high'), COUNT(*)) AS quality
FROM `{{ project }}.{{ nba_precompute }}.team_defense_zone_analysis`
WHERE analysis_date = @game_date
