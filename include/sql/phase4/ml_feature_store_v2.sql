-- P5 ml_feature_store_v2: the 25 model features of every player in
-- upcoming_player_game_context for @game_date. Each feature takes the first
-- source that has a value: the night's Phase 4 outputs (P1-P4), then Phase 3
-- where the spec allows it, then a default; calculated features are computed
-- here from Phase 3. Only games strictly before @game_date are read.
WITH ctx AS (
  SELECT *
  FROM `{{ project }}.{{ nba_analytics }}.upcoming_player_game_context`
  WHERE game_date = @game_date
),

daily_cache AS (
  SELECT *
  FROM `{{ project }}.{{ nba_precompute }}.player_daily_cache`
  WHERE cache_date = @game_date
),

composite AS (
  SELECT *
  FROM `{{ project }}.{{ nba_precompute }}.player_composite_factors`
  WHERE game_date = @game_date
),

shot_zone AS (
  SELECT *
  FROM `{{ project }}.{{ nba_precompute }}.player_shot_zone_analysis`
  WHERE analysis_date = @game_date
),

team_defense AS (
  SELECT *
  FROM `{{ project }}.{{ nba_precompute }}.team_defense_zone_analysis`
  WHERE analysis_date = @game_date
),

source_rows AS (
  SELECT
    (SELECT COUNT(*) FROM daily_cache) AS daily_cache_rows,
    (SELECT COUNT(*) FROM composite) AS composite_rows,
    (SELECT COUNT(*) FROM shot_zone) AS shot_zone_rows,
    (SELECT COUNT(*) FROM team_defense) AS team_defense_rows
),

-- The games each expected player played this season before the date (active, minutes > 0).
-- Points and FT makes stay INT64 and minutes NUMERIC so that the sums are exact
-- (the same result whatever order the engine adds them in); cast after aggregating.
played AS (
  SELECT
    player_lookup,
    game_id,
    points,
    minutes_played AS minutes,
    ft_makes,
    ROW_NUMBER() OVER (PARTITION BY player_lookup ORDER BY game_date DESC, game_id DESC) AS recency
  FROM `{{ project }}.{{ nba_analytics }}.player_game_summary`
  WHERE season_year = @season_year
    AND game_date < @game_date
    AND is_active
    AND minutes_played > 0
    AND player_lookup IN (SELECT player_lookup FROM ctx)
),

history AS (
  SELECT
    player_lookup,
    COUNT(*) AS games_season,
    COUNTIF(recency <= 10) AS games_last_10,
    CAST(AVG(IF(recency <= 5, points, NULL)) AS FLOAT64) AS points_avg_last_5,
    CAST(AVG(IF(recency <= 10, points, NULL)) AS FLOAT64) AS points_avg_last_10,
    CAST(AVG(points) AS FLOAT64) AS points_avg_season,
    CAST(AVG(IF(recency <= 2, points, NULL)) AS FLOAT64) AS points_avg_latest_2,
    CAST(AVG(IF(recency BETWEEN 3 AND 5, points, NULL)) AS FLOAT64) AS points_avg_prior_3,
    CAST(SUM(IF(recency <= 10, minutes, NULL)) AS FLOAT64) / COUNTIF(recency <= 10) AS minutes_avg_last_10,
    CAST(SUM(minutes) AS FLOAT64) / COUNT(*) AS minutes_avg_season,
    CAST(SUM(IF(recency <= 10, ft_makes, 0)) AS FLOAT64) AS ft_makes_last_10,
    CAST(SUM(IF(recency <= 10, points, 0)) AS FLOAT64) AS points_last_10
  FROM played
  GROUP BY player_lookup
),

team_record AS (
  SELECT team_abbr, COUNT(*) AS games, COUNTIF(win_flag) AS wins
  FROM `{{ project }}.{{ nba_analytics }}.team_offense_game_summary`
  WHERE season_year = @season_year AND game_date < @game_date
  GROUP BY team_abbr
),

-- Completeness: the current team's last 10 final games in the schedule vs the ones the player played.
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

joined AS (
  SELECT
    c.player_lookup,
    c.universal_player_id,
    c.game_id,
    c.team_abbr,
    c.opponent_team_abbr,
    c.home_game,
    c.days_rest,
    COALESCE(c.back_to_back, c.days_rest = 0) AS back_to_back,
    c.season_phase,
    c.player_status,
    c.days_rest - c.opponent_days_rest AS rest_difference,
    d.player_lookup IS NOT NULL AS daily_cache_present,
    COALESCE(d.is_production_ready, FALSE) AS daily_cache_ready,
    d.points_avg_last_5 AS p4_points_avg_last_5,
    d.points_avg_last_10 AS p4_points_avg_last_10,
    d.points_avg_season AS p4_points_avg_season,
    d.points_std_last_10 AS p4_points_std_last_10,
    CAST(d.games_in_last_7_days AS FLOAT64) AS p4_games_in_last_7_days,
    d.team_pace_last_10 AS p4_team_pace_last_10,
    d.team_off_rating_last_10 AS p4_team_off_rating_last_10,
    f.player_lookup IS NOT NULL AS composite_present,
    COALESCE(f.is_production_ready, FALSE) AS composite_ready,
    CAST(f.fatigue_score AS FLOAT64) AS p4_fatigue_score,
    f.shot_zone_mismatch_score AS p4_shot_zone_mismatch_score,
    f.pace_score AS p4_pace_score,
    f.usage_spike_score AS p4_usage_spike_score,
    z.player_lookup IS NOT NULL AS shot_zone_present,
    COALESCE(z.is_production_ready, FALSE) AS shot_zone_ready,
    z.paint_rate_last_10 / 100 AS p4_pct_paint,
    z.mid_range_rate_last_10 / 100 AS p4_pct_mid_range,
    z.three_pt_rate_last_10 / 100 AS p4_pct_three,
    t.team_abbr IS NOT NULL AS team_defense_present,
    COALESCE(t.is_production_ready, FALSE) AS team_defense_ready,
    t.defensive_rating_last_15 AS p4_opponent_def_rating,
    t.opponent_pace AS p4_opponent_pace,
    COALESCE(h.games_season, 0) AS games_season,
    COALESCE(h.games_last_10, 0) AS games_last_10,
    h.points_avg_last_5,
    h.points_avg_last_10,
    h.points_avg_season,
    -- Rounded so that float noise cannot move a value across a threshold.
    ROUND(h.points_avg_latest_2 - h.points_avg_prior_3, 6) AS points_trend,
    ROUND(SAFE_DIVIDE(h.minutes_avg_last_10 - h.minutes_avg_season, h.minutes_avg_season), 6) AS minutes_change_ratio,
    SAFE_DIVIDE(h.ft_makes_last_10, h.points_last_10) AS free_throw_share,
    COALESCE(r.games, 0) AS team_games,
    SAFE_DIVIDE(r.wins, r.games) AS team_win_share,
    COALESCE(k.expected_games_count, 0) AS expected_games_count,
    COALESCE(k.actual_games_count, 0) AS actual_games_count,
    n.daily_cache_rows,
    n.composite_rows,
    n.shot_zone_rows,
    n.team_defense_rows
  FROM ctx AS c
  CROSS JOIN source_rows AS n
  LEFT JOIN daily_cache AS d ON d.player_lookup = c.player_lookup
  LEFT JOIN composite AS f ON f.player_lookup = c.player_lookup
  LEFT JOIN shot_zone AS z ON z.player_lookup = c.player_lookup
  LEFT JOIN team_defense AS t ON t.team_abbr = c.opponent_team_abbr
  LEFT JOIN history AS h ON h.player_lookup = c.player_lookup
  LEFT JOIN team_record AS r ON r.team_abbr = c.team_abbr
  LEFT JOIN completeness AS k ON k.player_lookup = c.player_lookup
),

-- One value (vN) and one source (sN) per feature, in the spec's order.
feature_values AS (
  SELECT
    j.*,
    CAST(CASE WHEN p4_points_avg_last_5 IS NOT NULL THEN p4_points_avg_last_5
              WHEN games_season >= 5 THEN points_avg_last_5 ELSE 10.0 END AS FLOAT64) AS v0,
    CASE WHEN p4_points_avg_last_5 IS NOT NULL THEN 'phase4'
         WHEN games_season >= 5 THEN 'phase3' ELSE 'default' END AS s0,
    CAST(CASE WHEN p4_points_avg_last_10 IS NOT NULL THEN p4_points_avg_last_10
              WHEN games_season >= 1 THEN points_avg_last_10 ELSE 10.0 END AS FLOAT64) AS v1,
    CASE WHEN p4_points_avg_last_10 IS NOT NULL THEN 'phase4'
         WHEN games_season >= 1 THEN 'phase3' ELSE 'default' END AS s1,
    CAST(CASE WHEN p4_points_avg_season IS NOT NULL THEN p4_points_avg_season
              WHEN games_season >= 1 THEN points_avg_season ELSE 10.0 END AS FLOAT64) AS v2,
    CASE WHEN p4_points_avg_season IS NOT NULL THEN 'phase4'
         WHEN games_season >= 1 THEN 'phase3' ELSE 'default' END AS s2,
    CAST(COALESCE(p4_points_std_last_10, 5.0) AS FLOAT64) AS v3,
    IF(p4_points_std_last_10 IS NOT NULL, 'phase4', 'default') AS s3,
    CAST(COALESCE(p4_games_in_last_7_days, 3.0) AS FLOAT64) AS v4,
    IF(p4_games_in_last_7_days IS NOT NULL, 'phase4', 'default') AS s4,
    CAST(COALESCE(p4_fatigue_score, 50.0) AS FLOAT64) AS v5,
    IF(p4_fatigue_score IS NOT NULL, 'phase4', 'default') AS s5,
    CAST(COALESCE(p4_shot_zone_mismatch_score, 0.0) AS FLOAT64) AS v6,
    IF(p4_shot_zone_mismatch_score IS NOT NULL, 'phase4', 'default') AS s6,
    CAST(COALESCE(p4_pace_score, 0.0) AS FLOAT64) AS v7,
    IF(p4_pace_score IS NOT NULL, 'phase4', 'default') AS s7,
    CAST(COALESCE(p4_usage_spike_score, 0.0) AS FLOAT64) AS v8,
    IF(p4_usage_spike_score IS NOT NULL, 'phase4', 'default') AS s8,
    -- 9 rest_advantage: days_rest - opponent_days_rest clamped to +-2; 0 when either is missing.
    CAST(CASE WHEN rest_difference IS NULL THEN 0
              WHEN rest_difference > 2 THEN 2
              WHEN rest_difference < -2 THEN -2
              ELSE rest_difference END AS FLOAT64) AS v9,
    IF(rest_difference IS NOT NULL, 'calculated', 'default') AS s9,
    -- 10 injury_risk: the mapping covers every status (unknown or NULL = 0).
    CAST(CASE LOWER(player_status)
           WHEN 'available' THEN 0 WHEN 'probable' THEN 1 WHEN 'questionable' THEN 2
           WHEN 'doubtful' THEN 3 WHEN 'out' THEN 3 ELSE 0 END AS FLOAT64) AS v10,
    'calculated' AS s10,
    -- 11 recent_trend: mean of the 2 latest games minus the mean of the 3 before.
    CAST(CASE WHEN games_season < 5 THEN 0
              WHEN points_trend >= 5 THEN 2 WHEN points_trend >= 2 THEN 1
              WHEN points_trend <= -5 THEN -2 WHEN points_trend <= -2 THEN -1
              ELSE 0 END AS FLOAT64) AS v11,
    IF(games_season >= 5, 'calculated', 'default') AS s11,
    -- 12 minutes_change: (L10 minutes - season minutes) / season minutes.
    CAST(CASE WHEN minutes_change_ratio IS NULL THEN 0
              WHEN minutes_change_ratio >= 0.2 THEN 2 WHEN minutes_change_ratio >= 0.1 THEN 1
              WHEN minutes_change_ratio <= -0.2 THEN -2 WHEN minutes_change_ratio <= -0.1 THEN -1
              ELSE 0 END AS FLOAT64) AS v12,
    IF(minutes_change_ratio IS NOT NULL, 'calculated', 'default') AS s12,
    CAST(COALESCE(p4_opponent_def_rating, 112.0) AS FLOAT64) AS v13,
    IF(p4_opponent_def_rating IS NOT NULL, 'phase4', 'default') AS s13,
    CAST(COALESCE(p4_opponent_pace, 100.0) AS FLOAT64) AS v14,
    IF(p4_opponent_pace IS NOT NULL, 'phase4', 'default') AS s14,
    CAST(IF(home_game, 1, 0) AS FLOAT64) AS v15,
    'phase3' AS s15,
    CAST(IF(back_to_back, 1, 0) AS FLOAT64) AS v16,
    'phase3' AS s16,
    CAST(IF(season_phase = 'playoffs', 1, 0) AS FLOAT64) AS v17,
    'phase3' AS s17,
    CAST(COALESCE(p4_pct_paint, 0.30) AS FLOAT64) AS v18,
    IF(p4_pct_paint IS NOT NULL, 'phase4', 'default') AS s18,
    CAST(COALESCE(p4_pct_mid_range, 0.20) AS FLOAT64) AS v19,
    IF(p4_pct_mid_range IS NOT NULL, 'phase4', 'default') AS s19,
    CAST(COALESCE(p4_pct_three, 0.35) AS FLOAT64) AS v20,
    IF(p4_pct_three IS NOT NULL, 'phase4', 'default') AS s20,
    -- 21 pct_free_throw: FT makes / points over the last 10 games, clamped to 0-0.5.
    CAST(CASE WHEN games_season < 5 OR free_throw_share IS NULL THEN 0.15
              WHEN free_throw_share > 0.5 THEN 0.5
              WHEN free_throw_share < 0 THEN 0.0
              ELSE free_throw_share END AS FLOAT64) AS v21,
    IF(games_season < 5 OR free_throw_share IS NULL, 'default', 'calculated') AS s21,
    CAST(COALESCE(p4_team_pace_last_10, 100.0) AS FLOAT64) AS v22,
    IF(p4_team_pace_last_10 IS NOT NULL, 'phase4', 'default') AS s22,
    CAST(COALESCE(p4_team_off_rating_last_10, 112.0) AS FLOAT64) AS v23,
    IF(p4_team_off_rating_last_10 IS NOT NULL, 'phase4', 'default') AS s23,
    -- 24 team_win_pct: wins / games of the player's team this season before the date.
    CAST(IF(team_games < 5, 0.5, team_win_share) AS FLOAT64) AS v24,
    IF(team_games < 5, 'default', 'calculated') AS s24
  FROM joined AS j
),

feature_arrays AS (
  SELECT
    *,
    [v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, v13, v14, v15, v16, v17, v18, v19, v20, v21, v22, v23,
     v24] AS features,
    [s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15, s16, s17, s18, s19, s20, s21, s22, s23,
     s24] AS feature_sources
  FROM feature_values
),

source_counts AS (
  SELECT
    *,
    (SELECT COUNTIF(s = 'phase4') FROM UNNEST(feature_sources) AS s) AS phase4_features,
    (SELECT COUNTIF(s = 'phase3') FROM UNNEST(feature_sources) AS s) AS phase3_features,
    (SELECT COUNTIF(s = 'calculated') FROM UNNEST(feature_sources) AS s) AS calculated_features,
    (SELECT COUNTIF(s = 'default') FROM UNNEST(feature_sources) AS s) AS default_features
  FROM feature_arrays
),

scored AS (
  SELECT
    *,
    -- Sum of the source weights; quality = sum / 25 (max 97.0: features 15-17 are always phase3).
    100 * (phase4_features + calculated_features) + 75 * phase3_features + 40 * default_features AS weight_sum,
    -- A game window is empty only before the team's first final game: 0 % (the spec's rule).
    IF(expected_games_count = 0, 0.0, 100.0 * actual_games_count / expected_games_count) AS completeness_percentage
  FROM source_counts
),

final AS (
  SELECT
    *,
    ROUND(CAST(weight_sum AS NUMERIC) / 25, 2) AS feature_quality_score,
    CASE
      WHEN weight_sum >= 95 * 25 THEN 'gold'
      WHEN weight_sum >= 75 * 25 THEN 'silver'
      WHEN weight_sum >= 50 * 25 THEN 'bronze'
      WHEN weight_sum >= 25 * 25 THEN 'poor'
      ELSE 'unusable'
    END AS quality_tier,
    -- Phase 4 share: over the 22 features other than the three Phase 3 context
    -- flags (15-17), counting the ones computed here (calculated) with Phase 4.
    -- Phase 3 share: over the features that had a value (not a default).
    CASE
      WHEN 10 * (phase4_features + calculated_features) >= 9 * 22 THEN 'phase4'
      WHEN 2 * (phase4_features + calculated_features) >= 22 THEN 'phase4_partial'
      WHEN 2 * phase3_features >= 25 - default_features THEN 'phase3'
      ELSE 'mixed'
    END AS data_source,
    completeness_percentage >= 90 AND daily_cache_ready AND composite_ready AND shot_zone_ready
      AND team_defense_ready AS is_production_ready,
    ARRAY_CONCAT(
      IF(completeness_percentage >= 90, ARRAY<STRING>[], ['player_games_incomplete']),
      IF(daily_cache_present, IF(daily_cache_ready, ARRAY<STRING>[], ['upstream_player_daily_cache_incomplete']),
         ['upstream_player_daily_cache_missing']),
      IF(composite_present, IF(composite_ready, ARRAY<STRING>[], ['upstream_player_composite_factors_incomplete']),
         ['upstream_player_composite_factors_missing']),
      IF(shot_zone_present, IF(shot_zone_ready, ARRAY<STRING>[], ['upstream_player_shot_zone_incomplete']),
         ['upstream_player_shot_zone_missing']),
      IF(team_defense_present, IF(team_defense_ready, ARRAY<STRING>[], ['upstream_team_defense_incomplete']),
         ['upstream_team_defense_missing'])
    ) AS data_quality_issues
  FROM scored
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
  features,
  ['points_avg_last_5', 'points_avg_last_10', 'points_avg_season', 'points_std_last_10', 'games_in_last_7_days',
   'fatigue_score', 'shot_zone_mismatch_score', 'pace_score', 'usage_spike_score', 'rest_advantage', 'injury_risk',
   'recent_trend', 'minutes_change', 'opponent_def_rating', 'opponent_pace', 'home_away', 'back_to_back',
   'playoff_game', 'pct_paint', 'pct_mid_range', 'pct_three', 'pct_free_throw', 'team_pace', 'team_off_rating',
   'team_win_pct'] AS feature_names,
  feature_sources,
  feature_quality_score,
  quality_tier,
  data_source,
  daily_cache_rows AS source_daily_cache_rows_found,
  daily_cache_present AS source_daily_cache_present,
  composite_rows AS source_composite_rows_found,
  composite_present AS source_composite_present,
  shot_zone_rows AS source_shot_zones_rows_found,
  shot_zone_present AS source_shot_zones_present,
  team_defense_rows AS source_team_defense_rows_found,
  team_defense_present AS source_team_defense_present,
  -- Set after the insert (before_validation): the elapsed time of the night's statement.
  CAST(NULL AS INT64) AS feature_generation_time_ms,
  -- The business fields only (no timestamps, no generation time): an unchanged rerun gives the same hash.
  TO_HEX(SHA256(TO_JSON_STRING(STRUCT(
    player_lookup AS player_lookup, universal_player_id AS universal_player_id, @game_date AS game_date,
    game_id AS game_id, team_abbr AS team_abbr, opponent_team_abbr AS opponent_team_abbr, home_game AS is_home,
    days_rest AS days_rest, features AS features, feature_sources AS feature_sources,
    CAST(feature_quality_score AS STRING) AS feature_quality_score, quality_tier AS quality_tier,
    data_source AS data_source, expected_games_count AS expected_games_count,
    actual_games_count AS actual_games_count, is_production_ready AS is_production_ready,
    data_quality_issues AS data_quality_issues
  )))) AS data_hash,
  expected_games_count,
  actual_games_count,
  completeness_percentage,
  is_production_ready,
  data_quality_issues,
  @early_season AS early_season_flag,
  IF(@early_season, 'early_season_short_sample', 'computed') AS processing_decision_reason,
  CURRENT_TIMESTAMP() AS processed_at,
  CURRENT_TIMESTAMP() AS created_at
FROM final
