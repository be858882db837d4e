-- P3 validation figures for one night: rows, readiness, and quality as the
-- average share of the five input checks present (data_completeness_pct).
SELECT
  COUNT(*) AS row_count,
  COUNTIF(is_production_ready) AS production_ready,
  COUNTIF(early_season_flag) AS early_season_rows,
  AVG(data_completeness_pct) AS quality
FROM `{{ project }}.{{ nba_precompute }}.player_composite_factors`
WHERE game_date = @game_date
