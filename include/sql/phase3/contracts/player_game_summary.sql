-- Input contract of nba_analytics.player_game_summary for one night (@game_date,
-- @season_year): every row the processors read (the season's box scores before the
-- night), checked before anything is computed. One row per broken rule: rule,
-- description, violations (rows, or keys for duplicate_key / final_game_missing),
-- example_keys (the first three, sorted). No rows: the contract holds.
WITH checked AS (
  SELECT *
  FROM `{{ project }}.{{ nba_analytics }}.player_game_summary`
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
      COALESCE(NULLIF(player_lookup, ''), IF(player_lookup = '', "''", 'NULL')),
      ' ', COALESCE(NULLIF(game_id, ''), IF(game_id = '', "''", 'NULL'))) AS example_key
  FROM checked
),
violations AS (
  SELECT 'duplicate_key' AS rule, 'more than one row per (player_lookup, game_id)' AS description,
    ANY_VALUE(example_key) AS example_key
  FROM keyed
  GROUP BY player_lookup, game_id
  HAVING COUNT(*) > 1
  UNION ALL
  SELECT 'empty_key', 'player_lookup, game_id, team_abbr or opponent_team_abbr NULL or empty', example_key
  FROM keyed
  WHERE IFNULL(player_lookup, '') = '' OR IFNULL(game_id, '') = ''
    OR IFNULL(team_abbr, '') = '' OR IFNULL(opponent_team_abbr, '') = ''
  UNION ALL
  SELECT 'minutes_out_of_range', 'minutes_played outside 0-70', example_key
  FROM keyed
  WHERE minutes_played < 0 OR minutes_played > 70
  UNION ALL
  SELECT 'negative_stat', 'a counting stat below 0', example_key
  FROM keyed
  WHERE LEAST(points, assists, offensive_rebounds, defensive_rebounds, steals, blocks, turnovers,
              personal_fouls, fg_attempts, fg_makes, three_pt_attempts, three_pt_makes, ft_attempts, ft_makes,
              paint_attempts, paint_makes, mid_range_attempts, mid_range_makes, assisted_fg_makes,
              unassisted_fg_makes) < 0
  UNION ALL
  SELECT 'makes_above_attempts', 'makes > attempts (field goals, threes, free throws, paint or mid-range)',
    example_key
  FROM keyed
  WHERE fg_makes > fg_attempts OR three_pt_makes > three_pt_attempts OR ft_makes > ft_attempts
    OR paint_makes > paint_attempts OR mid_range_makes > mid_range_attempts
  UNION ALL
  SELECT 'zone_sum_mismatch', 'paint + mid_range + three_pt differs from fg (attempts or makes)', example_key
  FROM keyed
  WHERE paint_attempts + mid_range_attempts + three_pt_attempts != fg_attempts
    OR paint_makes + mid_range_makes + three_pt_makes != fg_makes
  UNION ALL
  SELECT 'assisted_sum_mismatch', 'assisted + unassisted differs from fg_makes', example_key
  FROM keyed
  WHERE assisted_fg_makes + unassisted_fg_makes != fg_makes
  UNION ALL
  SELECT 'not_on_schedule', 'no scheduled game with this game_id, date, team and opponent', example_key
  FROM keyed
  WHERE NOT EXISTS (
    SELECT 1 FROM team_games AS g
    WHERE g.game_id = keyed.game_id AND g.game_date = keyed.game_date
      AND g.team_abbr = keyed.team_abbr AND g.opponent_team_abbr = keyed.opponent_team_abbr)
  UNION ALL
  SELECT 'final_game_missing', 'a final game of the season with no rows for one of its teams',
    CONCAT(g.team_abbr, ' ', g.game_id)
  FROM team_games AS g
  WHERE g.game_status = 3
    AND NOT EXISTS (SELECT 1 FROM checked WHERE checked.game_id = g.game_id AND checked.team_abbr = g.team_abbr)
)
{{ include phase3/contracts/shared/violation_report.sql }}
