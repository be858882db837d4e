-- P5 ml_feature_store_v2 during the bootstrap window (days 0-6 of the season):
-- P1-P4 write nothing yet, so every player in upcoming_player_game_context for
-- @game_date gets a placeholder row: no features, quality 0, never production
-- ready, data_source 'early_season'. Completeness is still the real 10-game
-- figure (only games strictly before @game_date are read).
WITH ctx AS (
  SELECT *
  FROM `{{ project }}.{{ nba_analytics }}.upcoming_player_game_context`
  WHERE game_date = @game_date
),

source_rows AS (
  SELECT
    (SELECT COUNT(*) FROM `{{ project }}.{{ nba_precompute }}.player_daily_cache`
      WHERE cache_date = @game_date) AS daily_cache_rows,
    (SELECT COUNT(*) FROM `{{ project }}.{{ nba_precompute }}.player_composite_factors`
      WHERE game_date = @game_date) AS composite_rows,
    (SELECT COUNT(*) FROM `{{ project }}.{{ nba_precompute }}.player_shot_zone_analysis`
      WHERE analysis_date = @game_date) AS shot_zone_rows,
    (SELECT COUNT(*) FROM `{{ project }}.{{ nba_precompute }}.team_defense_zone_analysis`
      WHERE analysis_date = @game_date) AS team_defense_rows
),

played AS (
  SELECT player_lookup, game_id
  FROM `{{ project }}.{{ nba_analytics }}.player_game_summary`
  WHERE season_year = @season_year
    AND game_date < @game_date
    AND is_active
    AND minutes_played > 0
    AND player_lookup IN (SELECT player_lookup FROM ctx)
),

team_schedule AS (
  {{ include phase4/shared/final_team_games.sql }}
),

completeness AS (
  SELECT
    c.player_lookup,
    COUNT(*) AS expected_games_count,
    COUNTIF(p.game_id IS NOT NULL) AS actual_games_count
  FROM ctx AS c
  JOIN team_schedule AS s
    ON s.team_abbr = c.team_abbr AND s.recency <= 10
  LEFT JOIN played AS p
    ON p.player_lookup = c.player_lookup AND p.game_id = s.game_id
  GROUP BY c.player_lookup
),

placeholders AS (
  SELECT
    c.player_lookup,
    c.universal_player_id,
    c.game_id,
    c.team_abbr,
    c.opponent_team_abbr,
    c.home_game,
    c.days_rest,
    COALESCE(k.expected_games_count, 0) AS expected_games_count,
    COALESCE(k.actual_games_count, 0) AS actual_games_count,
    n.daily_cache_rows,
    n.composite_rows,
    n.shot_zone_rows,
    n.team_defense_rows
  FROM ctx AS c
  CROSS JOIN source_rows AS n
  LEFT JOIN completeness AS k ON k.player_lookup = c.player_lookup
)

SELECT
  player_lookup,
  universal_player_id,
  @game_date AS game_date,
  game_id,
  @season_year AS season_year,
  team_abbr,
  opponent_team_abbr,
  home_game AS is_home,
  days_rest,
  'v1_baseline_25' AS feature_version,
  25 AS feature_count,
  CAST(NULL AS ARRAY<FLOAT64>) AS features,
  CAST(NULL AS ARRAY<STRING>) AS feature_names,
  CAST(NULL AS ARRAY<STRING>) AS feature_sources,
  CAST(0 AS NUMERIC) AS feature_quality_score,
  'unusable' AS quality_tier,
  'early_season' AS data_source,
  daily_cache_rows AS source_daily_cache_rows_found,
  FALSE AS source_daily_cache_present,
  composite_rows AS source_composite_rows_found,
  FALSE AS source_composite_present,
  shot_zone_rows AS source_shot_zones_rows_found,
  FALSE AS source_shot_zones_present,
  team_defense_rows AS source_team_defense_rows_found,
  FALSE AS source_team_defense_present,
  CAST(NULL AS INT64) AS feature_generation_time_ms,
  TO_HEX(SHA256(TO_JSON_STRING(STRUCT(
    player_lookup AS player_lookup, universal_player_id AS universal_player_id, @game_date AS game_date,
    game_id AS game_id, team_abbr AS team_abbr, opponent_team_abbr AS opponent_team_abbr, home_game AS is_home,
    days_rest AS days_rest, 'early_season' AS data_source, expected_games_count AS expected_games_count,
    actual_games_count AS actual_games_count, FALSE AS is_production_ready
  )))) AS data_hash,
  expected_games_count,
  actual_games_count,
  IF(expected_games_count = 0, 0.0, 100.0 * actual_games_count / expected_games_count) AS completeness_percentage,
  FALSE AS is_production_ready,
  ['early_season_placeholder'] AS data_quality_issues,
  TRUE AS early_season_flag,
  'early_season_bootstrap' AS processing_decision_reason,
  CURRENT_TIMESTAMP() AS processed_at,
  CURRENT_TIMESTAMP() AS created_at
FROM placeholders
