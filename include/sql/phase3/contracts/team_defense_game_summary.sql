-- Input contract of nba_analytics.team_defense_game_summary for one night (@game_date,
-- @season_year): the season's rows before the night, which P1 reads. One row per
-- broken rule (rule, description, violations, example_keys); no rows: the contract holds.
-- One pass flags every row; keys are built only for the (normally no) broken ones.
WITH checked AS (
  SELECT *
  FROM `{{ project }}.{{ nba_analytics }}.team_defense_game_summary`
  WHERE season_year = @season_year AND game_date < @game_date
),
team_games AS (
  -- DISTINCT: a duplicated schedule row (its own contract) must not double the rows joined here
  SELECT DISTINCT game_id, game_date, game_status, team_abbr, opponent_team_abbr
  FROM `{{ project }}.{{ nba_raw }}.team_schedule`
  WHERE season_year = @season_year AND game_date < @game_date
),
flagged AS (
  SELECT
    checked.defending_team_abbr,
    checked.game_id,
    IFNULL(checked.defending_team_abbr, '') = '' OR IFNULL(checked.game_id, '') = ''
      OR IFNULL(checked.opponent_team_abbr, '') = '' AS empty_key,
    -- a NULL counts as 0: LEAST over a NULL is NULL and would hide the others
    LEAST(IFNULL(points_allowed, 0), IFNULL(opp_fg_attempts, 0), IFNULL(opp_fg_makes, 0),
          IFNULL(opp_three_pt_attempts, 0), IFNULL(opp_three_pt_makes, 0), IFNULL(opp_ft_attempts, 0),
          IFNULL(opp_ft_makes, 0), IFNULL(opp_paint_attempts, 0), IFNULL(opp_paint_makes, 0),
          IFNULL(opp_mid_range_attempts, 0), IFNULL(opp_mid_range_makes, 0)) < 0 AS negative_stat,
    IFNULL(opp_fg_makes > opp_fg_attempts OR opp_three_pt_makes > opp_three_pt_attempts
           OR opp_ft_makes > opp_ft_attempts OR opp_paint_makes > opp_paint_attempts
           OR opp_mid_range_makes > opp_mid_range_attempts, FALSE) AS makes_above_attempts,
    IFNULL(opp_paint_attempts + opp_mid_range_attempts + opp_three_pt_attempts != opp_fg_attempts
           OR opp_paint_makes + opp_mid_range_makes + opp_three_pt_makes != opp_fg_makes, FALSE)
      AS zone_sum_mismatch,
    games.game_id IS NULL AS not_on_schedule
  FROM checked
  LEFT JOIN team_games AS games
    ON games.game_id = checked.game_id AND games.game_date = checked.game_date
    AND games.team_abbr = checked.defending_team_abbr AND games.opponent_team_abbr = checked.opponent_team_abbr
),
broken AS (
  SELECT
    *,
    -- the key as it reads in a report: '' for an empty value, NULL for a missing one
    CONCAT(
      COALESCE(NULLIF(defending_team_abbr, ''), IF(defending_team_abbr = '', "''", 'NULL')),
      ' ', COALESCE(NULLIF(game_id, ''), IF(game_id = '', "''", 'NULL'))) AS example_key
  FROM flagged
  WHERE empty_key OR negative_stat OR makes_above_attempts OR zone_sum_mismatch OR not_on_schedule
),
violations AS (
  SELECT 'duplicate_key' AS rule, 'more than one row per (defending_team_abbr, game_id)' AS description,
    CONCAT(IFNULL(defending_team_abbr, 'NULL'), ' ', IFNULL(game_id, 'NULL')) AS example_key
  FROM checked
  GROUP BY defending_team_abbr, game_id
  HAVING COUNT(*) > 1
  UNION ALL
  SELECT 'empty_key', 'defending_team_abbr, game_id or opponent_team_abbr NULL or empty', example_key
  FROM broken WHERE empty_key
  UNION ALL
  SELECT 'negative_stat', 'a counting stat below 0', example_key
  FROM broken WHERE negative_stat
  UNION ALL
  SELECT 'makes_above_attempts', 'opponent makes > attempts (field goals, threes, free throws, paint or mid-range)',
    example_key
  FROM broken WHERE makes_above_attempts
  UNION ALL
  SELECT 'zone_sum_mismatch', 'opponent paint + mid_range + three_pt differs from fg (attempts or makes)',
    example_key
  FROM broken WHERE zone_sum_mismatch
  UNION ALL
  SELECT 'not_on_schedule', 'no scheduled game with this game_id, date, team and opponent', example_key
  FROM broken WHERE not_on_schedule
  UNION ALL
  SELECT 'final_game_missing', 'a final game of the season with no row for one of its teams',
    CONCAT(games.team_abbr, ' ', games.game_id)
  FROM team_games AS games
  LEFT JOIN (SELECT DISTINCT game_id, defending_team_abbr FROM checked) AS landed
    ON landed.game_id = games.game_id AND landed.defending_team_abbr = games.team_abbr
  WHERE games.game_status = 3 AND landed.game_id IS NULL
)
{{ include phase3/contracts/shared/violation_report.sql }}
