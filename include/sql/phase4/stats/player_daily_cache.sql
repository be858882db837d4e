-- P4 validation figures for one night: rows, readiness, early-season rows,
-- quality as the share of rows with all completeness windows >= 90 %, and
-- records_skipped = upcoming-context players with >= 5 played games this
-- season but no P2 (player_shot_zone_analysis) row for the night, and
-- eligible_players = those with >= 5 played games (none in the first days of a season).
WITH cache AS (
  SELECT *
  FROM `{{ project }}.{{ nba_precompute }}.player_daily_cache`
  WHERE cache_date = @game_date
),

upcoming_players AS (
  SELECT DISTINCT player_lookup, season_year
  FROM `{{ project }}.{{ nba_analytics }}.upcoming_player_game_context`
  WHERE game_date = @game_date
),

eligible_players AS (
  SELECT u.player_lookup
  FROM upcoming_players AS u
  JOIN `{{ project }}.{{ nba_analytics }}.player_game_summary` AS g
    ON g.player_lookup = u.player_lookup AND g.season_year = u.season_year
   AND g.game_date < @game_date AND g.is_active AND g.minutes_played > 0
  GROUP BY u.player_lookup
  HAVING COUNT(*) >= 5
),

skipped_without_shot_zones AS (
  SELECT COUNT(*) AS records_skipped
  FROM eligible_players AS e
  LEFT JOIN `{{ project }}.{{ nba_precompute }}.player_shot_zone_analysis` AS z
    ON z.player_lookup = e.player_lookup AND z.analysis_date = @game_date
  WHERE z.player_lookup IS NULL
)

SELECT
  (SELECT COUNT(*) FROM cache) AS row_count,
  (SELECT COUNTIF(is_production_ready) FROM cache) AS production_ready,
  (SELECT COUNTIF(early_season_flag) FROM cache) AS early_season_rows,
  (SELECT 100.0 * SAFE_DIVIDE(COUNTIF(all_windows_complete), COUNT(*)) FROM cache) AS quality,
  (SELECT records_skipped FROM skipped_without_shot_zones) AS records_skipped,
  (SELECT COUNT(*) FROM eligible_players) AS eligible_players
