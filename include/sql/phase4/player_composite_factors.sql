-- P3 player_composite_factors: the composite adjustment factors of each player
-- in upcoming_player_game_context for @game_date, from that context, the
-- night's P1 (opponent zone defense) and P2 (player shot zones) rows, and the
-- player's team's last 10 final games. Only games strictly before @game_date
-- are read (no leakage); P1 / P2 rows are those of the same night.
WITH upcoming AS (
  SELECT
    *,
    -- The table is keyed by player; a duplicated context row must not duplicate the output.
    ROW_NUMBER() OVER (PARTITION BY player_lookup ORDER BY game_id, team_abbr) AS listing
  FROM `{{ project }}.{{ nba_analytics }}.upcoming_player_game_context`
  WHERE game_date = @game_date
),

players AS (
  SELECT
    player_lookup,
    universal_player_id,
    game_id,
    team_abbr,
    opponent_team_abbr,
    days_rest,
    projected_usage_rate,
    pace_differential,
    -- Missing inputs take the spec's defaults.
    COALESCE(days_rest, 1) AS rest_days,
    -- Back-to-back means days_rest = 0 (full days off); the flag only stands in when days_rest is missing.
    IF(days_rest IS NULL, COALESCE(back_to_back, FALSE), days_rest = 0) AS is_back_to_back,
    COALESCE(games_in_last_7_days, 3) AS games_last_7,
    CAST(COALESCE(minutes_in_last_7_days, 200) AS FLOAT64) AS minutes_last_7,
    CAST(COALESCE(avg_minutes_per_game_last_7, 30) AS FLOAT64) AS avg_minutes_last_7,
    COALESCE(back_to_backs_last_14_days, 0) AS back_to_backs_last_14,
    COALESCE(player_age, 25) AS age,
    CAST(COALESCE(pace_differential, 0) AS FLOAT64) AS pace_diff,
    CAST(COALESCE(projected_usage_rate, 25) AS FLOAT64) AS usage_projected,
    CAST(COALESCE(avg_usage_rate_last_7_games, 25) AS FLOAT64) AS usage_baseline,
    COALESCE(star_teammates_out, 0) AS stars_out
  FROM upcoming
  WHERE listing = 1
),

-- Completeness: the player's (current) team's last 10 final games before the
-- date in the schedule vs the ones in which he played (active, minutes > 0).
team_schedule AS (
  {{ include phase4/shared/final_team_games.sql }}
),

played AS (
  SELECT DISTINCT player_lookup, game_id
  FROM `{{ project }}.{{ nba_analytics }}.player_game_summary`
  WHERE season_year = @season_year AND game_date < @game_date
    AND is_active AND minutes_played > 0
),

completeness AS (
  SELECT
    p.player_lookup,
    COUNT(*) AS expected_games_count,
    COUNTIF(g.game_id IS NOT NULL) AS actual_games_count
  FROM players AS p
  JOIN team_schedule AS s
    ON s.team_abbr = p.team_abbr AND s.recency <= 10
  LEFT JOIN played AS g
    ON g.player_lookup = p.player_lookup AND g.game_id = s.game_id
  GROUP BY p.player_lookup
),

shot_zones AS (
  SELECT
    player_lookup,
    primary_scoring_zone,
    paint_rate_last_10,
    mid_range_rate_last_10,
    three_pt_rate_last_10,
    is_production_ready
  FROM `{{ project }}.{{ nba_precompute }}.player_shot_zone_analysis`
  WHERE analysis_date = @game_date
),

team_defense AS (
  SELECT
    team_abbr,
    paint_defense_vs_league_avg,
    mid_range_defense_vs_league_avg,
    three_pt_defense_vs_league_avg,
    is_production_ready
  FROM `{{ project }}.{{ nba_precompute }}.team_defense_zone_analysis`
  WHERE analysis_date = @game_date
),

team_context AS (
  SELECT DISTINCT team_abbr
  FROM `{{ project }}.{{ nba_analytics }}.upcoming_team_game_context`
  WHERE game_date = @game_date
),

joined AS (
  SELECT
    p.*,
    z.player_lookup IS NOT NULL AS has_shot_zone,
    COALESCE(z.is_production_ready, FALSE) AS shot_zone_ready,
    d.team_abbr IS NOT NULL AS has_team_defense,
    COALESCE(d.is_production_ready, FALSE) AS team_defense_ready,
    t.team_abbr IS NOT NULL AS has_team_context,
    -- Perimeter scorers meet the opponent's three-point defense.
    CASE z.primary_scoring_zone
      WHEN 'paint' THEN d.paint_defense_vs_league_avg
      WHEN 'mid_range' THEN d.mid_range_defense_vs_league_avg
      WHEN 'perimeter' THEN d.three_pt_defense_vs_league_avg
    END AS zone_defense_vs_league,
    CASE z.primary_scoring_zone
      WHEN 'paint' THEN z.paint_rate_last_10
      WHEN 'mid_range' THEN z.mid_range_rate_last_10
      WHEN 'perimeter' THEN z.three_pt_rate_last_10
    END AS zone_rate,
    COALESCE(c.expected_games_count, 0) AS expected_games_count,
    COALESCE(c.actual_games_count, 0) AS actual_games_count
  FROM players AS p
  LEFT JOIN shot_zones AS z ON z.player_lookup = p.player_lookup
  LEFT JOIN team_defense AS d ON d.team_abbr = p.opponent_team_abbr
  LEFT JOIN team_context AS t ON t.team_abbr = p.team_abbr
  LEFT JOIN completeness AS c ON c.player_lookup = p.player_lookup
),

raw_factors AS (
  SELECT
    *,
    100
      + IF(is_back_to_back, -15, IF(rest_days >= 3, 5, 0))
      + IF(games_last_7 >= 4, -10, 0)
      + IF(minutes_last_7 > 240, -10, 0)
      + IF(avg_minutes_last_7 > 35, -8, 0)
      + CASE WHEN back_to_backs_last_14 >= 2 THEN -12 WHEN back_to_backs_last_14 = 1 THEN -5 ELSE 0 END
      + CASE WHEN age >= 35 THEN -10 WHEN age >= 30 THEN -5 ELSE 0 END
      AS fatigue_raw,
    -- 0 when the zone (NULL or balanced) or the opponent's zone defense is missing.
    IF(zone_defense_vs_league IS NULL OR zone_rate IS NULL, 0.0,
       zone_defense_vs_league * LEAST(zone_rate / 50.0, 1.0)) AS mismatch_raw,
    (usage_projected - usage_baseline) * 0.3 AS usage_raw,
    -- A game window is empty only before the team's first final game: 0 % (the spec's rule).
    IF(expected_games_count = 0, 0.0, 100.0 * actual_games_count / expected_games_count) AS completeness_pct
  FROM joined
),

factors AS (
  SELECT
    *,
    GREATEST(0, LEAST(100, fatigue_raw)) AS fatigue_score,
    GREATEST(-10.0, LEAST(10.0, IF(ABS(mismatch_raw) > 5, mismatch_raw * 1.2, mismatch_raw)))
      AS shot_zone_mismatch_score,
    GREATEST(-3.0, LEAST(3.0, pace_diff / 2)) AS pace_score,
    IF(usage_baseline = 0, 0.0,
       GREATEST(-3.0, LEAST(3.0,
         IF(usage_raw > 0,
            usage_raw * CASE WHEN stars_out >= 2 THEN 1.30 WHEN stars_out = 1 THEN 1.15 ELSE 1.0 END,
            usage_raw)))) AS usage_spike_score
  FROM raw_factors
),

totals AS (
  SELECT
    *,
    (fatigue_score - 100) / 20.0 AS fatigue_adjustment,
    -- fatigue_adjustment + mismatch + pace + usage + the four deferred factors (0.0).
    (fatigue_score - 100) / 20.0 + shot_zone_mismatch_score + pace_score + usage_spike_score
      + 0.0 + 0.0 + 0.0 + 0.0 AS total_composite_adjustment,
    100.0 * (IF(days_rest IS NOT NULL, 1, 0) + IF(projected_usage_rate IS NOT NULL, 1, 0)
             + IF(pace_differential IS NOT NULL, 1, 0) + IF(has_shot_zone, 1, 0)
             + IF(has_team_defense, 1, 0)) / 5 AS data_completeness_pct,
    completeness_pct >= 90 AS own_games_complete
  FROM factors
),

flagged AS (
  SELECT
    *,
    ARRAY_CONCAT(
      IF(fatigue_score < 50, ['EXTREME_FATIGUE'], ARRAY<STRING>[]),
      IF(ABS(shot_zone_mismatch_score) > 8, ['EXTREME_MATCHUP'], ARRAY<STRING>[]),
      IF(ABS(total_composite_adjustment) > 12, ['EXTREME_ADJUSTMENT'], ARRAY<STRING>[])
    ) AS warning_details,
    ARRAY_CONCAT(
      IF(own_games_complete, ARRAY<STRING>[], ['own_games_incomplete']),
      IF(has_shot_zone, ARRAY<STRING>[], ['upstream_player_shot_zone_missing']),
      IF(has_shot_zone AND NOT shot_zone_ready, ['upstream_player_shot_zone_incomplete'], ARRAY<STRING>[]),
      IF(has_team_defense, ARRAY<STRING>[], ['upstream_team_defense_missing']),
      IF(has_team_defense AND NOT team_defense_ready, ['upstream_team_defense_incomplete'], ARRAY<STRING>[]),
      IF(has_team_context, ARRAY<STRING>[], ['upstream_team_context_missing'])
    ) AS data_quality_issues
  FROM totals
)

SELECT
  player_lookup,
  universal_player_id,
  @game_date AS game_date,
  game_id,
  @season_year AS season_year,
  team_abbr,
  opponent_team_abbr,
  'v1_4factors' AS calculation_version,
  CAST(fatigue_score AS INT64) AS fatigue_score,
  CAST(fatigue_adjustment AS FLOAT64) AS fatigue_adjustment,
  CAST(shot_zone_mismatch_score AS FLOAT64) AS shot_zone_mismatch_score,
  CAST(pace_score AS FLOAT64) AS pace_score,
  CAST(usage_spike_score AS FLOAT64) AS usage_spike_score,
  0.0 AS referee_favorability_score,
  0.0 AS look_ahead_pressure_score,
  0.0 AS travel_impact_score,
  0.0 AS opponent_strength_score,
  CAST(total_composite_adjustment AS FLOAT64) AS total_composite_adjustment,
  CAST(data_completeness_pct AS FLOAT64) AS data_completeness_pct,
  ARRAY_LENGTH(warning_details) > 0 AS has_warnings,
  warning_details,
  expected_games_count,
  actual_games_count,
  CAST(completeness_pct AS FLOAT64) AS completeness_percentage,
  -- The player's own row in the upcoming context is present by construction.
  own_games_complete AND shot_zone_ready AND team_defense_ready AND has_team_context AS is_production_ready,
  data_quality_issues,
  @early_season AS early_season_flag,
  IF(@early_season, 'early_season_short_sample', 'computed') AS processing_decision_reason,
  CURRENT_TIMESTAMP() AS processed_at,
  CURRENT_TIMESTAMP() AS created_at
FROM flagged
