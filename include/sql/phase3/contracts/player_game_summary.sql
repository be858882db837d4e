-- Input contract of nba_analytics.player_game_summary for one night (@game_date,
-- @season_year): every row the processors read (the season's box scores before the
-- night), checked before anything is computed. One row per broken rule: rule,
-- description, violations (rows, or keys for duplicate_key / final_game_missing),
-- example_keys (the first three, sorted). No rows: the contract holds.
-- One pass flags every row; keys are built only for the (normally no) broken ones.
WITH checked AS (
  SELECT *
  FROM `{{ project }}.{{ nba_analytics }}.player_game_summary`
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
    checked.player_lookup,
    checked.game_id,
    IFNULL(checked.player_lookup, '') = '' OR IFNULL(checked.game_id, '') = ''
      OR IFNULL(checked.team_abbr, '') = '' OR IFNULL(checked.opponent_team_abbr, '') = '' AS empty_key,
    IFNULL(minutes_played < 0 OR minutes_played > 70, FALSE) AS minutes_out_of_range,
    -- a NULL counts as 0: LEAST over a NULL is NULL and would hide the others
    LEAST(IFNULL(points, 0), IFNULL(assists, 0), IFNULL(offensive_rebounds, 0),
          IFNULL(defensive_rebounds, 0), IFNULL(steals, 0), IFNULL(blocks, 0), IFNULL(turnovers, 0),
          IFNULL(personal_fouls, 0), IFNULL(fg_attempts, 0), IFNULL(fg_makes, 0),
          IFNULL(three_pt_attempts, 0), IFNULL(three_pt_makes, 0), IFNULL(ft_attempts, 0),
          IFNULL(ft_makes, 0), IFNULL(paint_attempts, 0), IFNULL(mid_range_attempts, 0),
          IFNULL(mid_range_makes, 0), IFNULL(unassisted_fg_makes, 0)) < 0 AS negative_stat,
    IFNULL(fg_makes > fg_attempts OR three_pt_makes > three_pt_attempts OR ft_makes > ft_attempts
           OR paint_makes > paint_attempts OR mid_range_makes > mid_range_attempts, FALSE) AS makes_above_attempts,
    IFNULL(paint_attempts + mid_range_attempts + three_pt_attempts != fg_attempts
           OR paint_makes + mid_range_makes + three_pt_makes != fg_makes, FALSE) AS zone_sum_mismatch,
    IFNULL(assisted_fg_makes + unassisted_fg_makes != fg_makes, FALSE) AS assisted_sum_mismatch,
    games.game_id IS NULL AS not_on_schedule
  FROM checked
  LEFT JOIN team_games AS games
    ON games.game_id = checked.game_id AND games.game_date = checked.game_date
    AND games.team_abbr = checked.team_abbr AND games.opponent_team_abbr = checked.opponent_team_abbr
),
broken AS (
  SELECT
    *,
    -- the key as it reads in a report: '' for an empty value, NULL for a missing one
    CONCAT(
      COALESCE(NULLIF(player_lookup, ''), IF(player_lookup = '', "''", 'NULL')),
      ' ', COALESCE(NULLIF(game_id, ''), IF(game_id = '', "''", 'NULL'))) AS example_key
  FROM flagged
  WHERE empty_key OR minutes_out_of_range OR negative_stat OR makes_above_attempts OR zone_sum_mismatch
    OR assisted_sum_mismatch OR not_on_schedule
),
violations AS (
  SELECT 'duplicate_key' AS rule, 'more than one row per (player_lookup, game_id)' AS description,
    CONCAT(IFNULL(player_lookup, 'NULL'), ' ', IFNULL(game_id, 'NULL')) AS example_key
  FROM checked
  GROUP BY player_lookup, game_id
  HAVING COUNT(*) > 1
  UNION ALL
  SELECT 'empty_key', 'player_lookup, game_id, team_abbr or opponent_team_abbr NULL or empty', example_key
  FROM broken WHERE empty_key
  UNION ALL
  SELECT 'minutes_out_of_range', 'minutes_played outside 0-70', example_key
  FROM broken WHERE minutes_out_of_range
  UNION ALL
  SELECT 'negative_stat', 'a counting stat below 0', example_key
  FROM broken WHERE negative_stat
  UNION ALL
  SELECT 'makes_above_attempts', 'makes > attempts (field goals, threes, free throws, paint or mid-range)',
    example_key
  FROM broken WHERE makes_above_attempts
  UNION ALL
  SELECT 'zone_sum_mismatch', 'paint + mid_range + three_pt differs from fg (attempts or makes)', example_key
  FROM broken WHERE zone_sum_mismatch
  UNION ALL
  SELECT 'assisted_sum_mismatch', 'assisted + unassisted differs from fg_makes', example_key
  FROM broken WHERE assisted_sum_mismatch
  UNION ALL
  SELECT 'not_on_schedule', 'no scheduled game with this game_id, date, team and opponent', example_key
  FROM broken WHERE not_on_schedule
  UNION ALL
  SELECT 'final_game_missing', 'a final game of the season with no rows for one of its teams',
    CONCAT(games.team_abbr, ' ', games.game_id)
  FROM team_games AS games
  LEFT JOIN (SELECT DISTINCT game_id, team_abbr FROM checked) AS landed
    ON landed.game_id = games.game_id AND landed.team_abbr = games.team_abbr
  WHERE games.game_status = 3 AND landed.game_id IS NULL
)
{{ include phase3/contracts/shared/violation_report.sql }}
