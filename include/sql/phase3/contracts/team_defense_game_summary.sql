-- Input contract of nba_analytics.team_defense_game_summary for one night (@game_date,
-- @season_year): the season's rows before the night, which P1 reads. One row per
-- broken rule (rule, description, violations, example_keys); no rows: the contract holds.
WITH checked AS (
  SELECT *
  FROM `{{ project }}.{{ nba_analytics }}.team_defense_game_summary`
  WHERE season_year = @season_year AND game_date < @game_date
),
team_games AS (
  SELECT game_id, game_date, game_status, team_abbr, opponent_team_abbr
  FROM `{{ project }}.{{ nba_raw }}.team_schedule`
  WHERE season_year = @season_year AND game_date < @game_date
),
keyed AS (
  SELECT
    *,
    -- the key as it reads in a report: '' for an empty value, NULL for a missing one
    CONCAT(
      COALESCE(NULLIF(defending_team_abbr, ''), IF(defending_team_abbr = '', "''", 'NULL')),
      ' ', COALESCE(NULLIF(game_id, ''), IF(game_id = '', "''", 'NULL'))) AS example_key
  FROM checked
),
violations AS (
  SELECT 'duplicate_key' AS rule, 'more than one row per (defending_team_abbr, game_id)' AS description,
    ANY_VALUE(example_key) AS example_key
  FROM keyed
  GROUP BY defending_team_abbr, game_id
  HAVING COUNT(*) > 1
  UNION ALL
  SELECT 'empty_key', 'defending_team_abbr, game_id or opponent_team_abbr NULL or empty', example_key
  FROM keyed
  WHERE IFNULL(defending_team_abbr, '') = '' OR IFNULL(game_id, '') = '' OR IFNULL(opponent_team_abbr, '') = ''
  UNION ALL
  SELECT 'negative_stat', 'a counting stat below 0', example_key
  FROM keyed
  WHERE LEAST(points_allowed, opp_fg_attempts, opp_fg_makes, opp_three_pt_attempts, opp_three_pt_makes,
              opp_ft_attempts, opp_ft_makes, opp_paint_attempts, opp_paint_makes, opp_mid_range_attempts,
              opp_mid_range_makes) < 0
  UNION ALL
  SELECT 'makes_above_attempts', 'opponent makes > attempts (field goals, threes, free throws, paint or mid-range)',
    example_key
  FROM keyed
  WHERE opp_fg_makes > opp_fg_attempts OR opp_three_pt_makes > opp_three_pt_attempts
    OR opp_ft_makes > opp_ft_attempts OR opp_paint_makes > opp_paint_attempts
    OR opp_mid_range_makes > opp_mid_range_attempts
  UNION ALL
  SELECT 'zone_sum_mismatch', 'opponent paint + mid_range + three_pt differs from fg (attempts or makes)',
    example_key
  FROM keyed
  WHERE opp_paint_attempts + opp_mid_range_attempts + opp_three_pt_attempts != opp_fg_attempts
    OR opp_paint_makes + opp_mid_range_makes + opp_three_pt_makes != opp_fg_makes
  UNION ALL
  SELECT 'not_on_schedule', 'no scheduled game with this game_id, date, team and opponent', example_key
  FROM keyed
  WHERE NOT EXISTS (
    SELECT 1 FROM team_games AS g
    WHERE g.game_id = keyed.game_id AND g.game_date = keyed.game_date
      AND g.team_abbr = keyed.defending_team_abbr AND g.opponent_team_abbr = keyed.opponent_team_abbr)
  UNION ALL
  SELECT 'final_game_missing', 'a final game of the season with no row for one of its teams',
    CONCAT(g.team_abbr, ' ', g.game_id)
  FROM team_games AS g
  WHERE g.game_status = 3
    AND NOT EXISTS (
      SELECT 1 FROM checked WHERE checked.game_id = g.game_id AND checked.defending_team_abbr = g.team_abbr)
)
{{ include phase3/contracts/shared/violation_report.sql }}
