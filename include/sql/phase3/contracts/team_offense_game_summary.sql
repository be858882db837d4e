-- Input contract of nba_analytics.team_offense_game_summary for one night (@game_date,
-- @season_year): the season's rows before the night, which P4 and P5 read (pace,
-- offensive rating, wins). One row per broken rule (rule, description, violations,
-- example_keys); no rows: the contract holds.
-- One pass flags every row; keys are built only for the (normally no) broken ones.
WITH checked AS (
  SELECT *
  FROM `{{ project }}.{{ nba_analytics }}.team_offense_game_summary`
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
    checked.team_abbr,
    checked.game_id,
    IFNULL(checked.team_abbr, '') = '' OR IFNULL(checked.game_id, '') = ''
      OR IFNULL(checked.opponent_team_abbr, '') = '' AS empty_key,
    -- a NULL counts as 0: LEAST over a NULL is NULL and would hide the others
    LEAST(IFNULL(points_scored, 0), IFNULL(fg_attempts, 0), IFNULL(fg_makes, 0),
          IFNULL(three_pt_attempts, 0), IFNULL(three_pt_makes, 0), IFNULL(ft_attempts, 0),
          IFNULL(ft_makes, 0), IFNULL(offensive_rebounds, 0), IFNULL(turnovers, 0), IFNULL(assists, 0)) < 0 AS negative_stat,
    IFNULL(fg_makes > fg_attempts OR three_pt_makes > three_pt_attempts OR ft_makes > ft_attempts, FALSE)
      AS makes_above_attempts,
    IFNULL(possessions <= 0 OR game_minutes <= 0, FALSE) AS possessions_not_positive,
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
      COALESCE(NULLIF(team_abbr, ''), IF(team_abbr = '', "''", 'NULL')),
      ' ', COALESCE(NULLIF(game_id, ''), IF(game_id = '', "''", 'NULL'))) AS example_key
  FROM flagged
  WHERE empty_key OR negative_stat OR makes_above_attempts OR possessions_not_positive OR not_on_schedule
),
violations AS (
  SELECT 'duplicate_key' AS rule, 'more than one row per (team_abbr, game_id)' AS description,
    CONCAT(IFNULL(team_abbr, 'NULL'), ' ', IFNULL(game_id, 'NULL')) AS example_key
  FROM checked
  GROUP BY team_abbr, game_id
  HAVING COUNT(*) > 1
  UNION ALL
  SELECT 'empty_key', 'team_abbr, game_id or opponent_team_abbr NULL or empty', example_key
  FROM broken WHERE empty_key
  UNION ALL
  SELECT 'negative_stat', 'a counting stat below 0', example_key
  FROM broken WHERE negative_stat
  UNION ALL
  SELECT 'makes_above_attempts', 'makes > attempts (field goals, threes or free throws)', example_key
  FROM broken WHERE makes_above_attempts
  UNION ALL
  SELECT 'possessions_not_positive', 'possessions or game_minutes not above 0', example_key
  FROM broken WHERE possessions_not_positive
  UNION ALL
  SELECT 'not_on_schedule', 'no scheduled game with this game_id, date, team and opponent', example_key
  FROM broken WHERE not_on_schedule
  UNION ALL
  SELECT 'final_game_missing', 'a final game of the season with no row for one of its teams',
    CONCAT(games.team_abbr, ' ', games.game_id)
  FROM team_games AS games
  LEFT JOIN (SELECT DISTINCT game_id, team_abbr FROM checked) AS landed
    ON landed.game_id = games.game_id AND landed.team_abbr = games.team_abbr
  WHERE games.game_status = 3 AND landed.game_id IS NULL
)
{{ include phase3/contracts/shared/violation_report.sql }}
